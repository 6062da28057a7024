"""Every sentence of exercises/ps06_fine_tuning (markdown and docstrings) and what enforces it (issue 15).
`rule(cell, mutants=...)`: these mutants break the sentence and that test cell catches them; `permits(...)`: correct
alternatives that use the freedom; `context(...)`: no rule to check. tests/test_assignments.py keeps it complete."""
from llmcourse.authoring.instructions import context, permits, rule

HEADING = "a heading"
OVERVIEW = "the overview list repeats the parts below, which are enforced there"
SETUP = "the docstring of a helper the notebook provides"
ENCODE, POOLING, FORWARD, FREEZE = "test_encode_pairs", "test_pooling", "test_head_forward", "test_freeze"
STEP, OVERFIT, EVALUATE = "test_train_step", "test_overfit_tiny_batch", "test_evaluate"
ALIGN, TOKEN_LOSS, SPAN = "test_align_labels", "test_token_classification_loss", "test_best_span"
WRITTEN = "the written question, graded by hand"

TABLE = {
    '# ps06: fine-tuning a pre-trained encoder for classification':
        context(HEADING),
    'Pairs with `lectures/06_fine_tuning.ipynb`.':
        context("a pointer to the lecture"),
    'You build the pieces of the four-step fine-tuning recipe yourself, then the heads that BERT puts on every token:':
        context(OVERVIEW),
    '1. **sentence-pair encoding** with the tokenizer (premise in segment A, hypothesis in segment B),':
        context(OVERVIEW),
    "2. a **classifier head** on the encoder's output: pooling (CLS or mean), one hidden layer, dropout, logits,":
        context(OVERVIEW),
    '3. **freezing** all but the top *n* encoder layers (and counting trainable versus frozen parameters),':
        context(OVERVIEW),
    '4. **one training step** (cross-entropy, gradient clipping, optimizer step), and checking it by overfitting a tiny batch,':
        context(OVERVIEW),
    '5. **evaluation** with scikit-learn: accuracy, macro-F1 and the confusion matrix,':
        context(OVERVIEW),
    '6. **token classification** (named entities): word labels moved onto the first sub-token of each word, and the loss that ignores the rest,':
        context(OVERVIEW),
    '7. **extractive question answering**: the best legal answer span from start and end logits.':
        context(OVERVIEW),
    "Tests run on a tiny randomly initialised BERT (milliseconds per step) and on the course's MiniLM tokenizer, so the whole notebook runs in well under a minute on a laptop CPU.":
        context("describes the tests"),
    "Your functions must not change the tensors and arrays they are given, except what a part asks for (the model's `requires_grad` flags, the parameters an optimizer step updates, train/eval mode); the tests check.":
        rule(POOLING, STEP, TOKEN_LOSS, SPAN, mutants=["MeanZeroesPaddingOfTheCallersTensor", "step_clamps_the_callers_input_ids",
                                                       "loss_sets_the_callers_ignored_labels_to_0", "span_masks_the_callers_logits"]),
    'Numbers are compared within an absolute tolerance of 1e-5 unless a test says otherwise.':
        permits("HeadWithEinsumMeanAndClamp", "evaluate_by_hand_in_numpy", "loss_by_hand_with_gather"),
    'Points: 24 autograded, 2 for the written answer (26 in all).':
        context("the points"),
    'A small randomly initialised BERT (hidden size 16) for fast tests; no dropout, so steps are repeatable.':
        context(SETUP),
    'Random token ids with 3 labels, as train_step expects a batch.':
        context(SETUP),
    "A minimal head used by the tests of train_step: the first token's vector -> logits.":
        context(SETUP),
    "A head for the tests of train_step that uses the mask: the mean of the real tokens' vectors -> logits.":
        context(SETUP),
    '## 1. Sentence-pair encoding (2 points)':
        context(HEADING),
    'For entailment the encoder reads both sentences at once: `[CLS] premise [SEP] hypothesis [SEP]`, with segment (token type) id 0 for the premise part and 1 for the hypothesis part.':
        rule(ENCODE, mutants=["pairs_glued_with_sep_string", "pairs_hypothesis_first"]),
    "Write `encode_pairs` that returns the tokenizer's batch encoding as PyTorch tensors (`input_ids`, `token_type_ids`, `attention_mask`), **padded to the longest pair in the batch** and **truncated to at most `max_length` tokens**.":
        rule(ENCODE, mutants=["pairs_returned_as_lists", "pairs_returned_as_numpy", "pairs_padded_to_max_length", "pairs_not_truncated"]),
    'Hint: the tokenizer takes two lists, `tokenizer(first_texts, second_texts, ...)`.':
        permits("pairs_as_plain_dict_with_keywords", "pairs_longest_first"),
    'Gluing the sentences into one string with a literal `" [SEP] "` looks similar but leaves every token in segment 0.':
        rule(ENCODE, mutants=["pairs_glued_with_sep_string"]),
    'Tokenize (premise, hypothesis) pairs as one sequence each; return a dict-like of (batch, length) tensors.':
        rule(ENCODE, mutants=["pairs_returned_as_lists", "pairs_hypothesis_first"]),
    '## 2. The classifier head (5 points)':
        context(HEADING),
    "Steps 2 and 3 of the recipe: turn the encoder's `last_hidden_state` (batch, tokens, hidden) into one vector per input (**pooling**), then add fine-tuning layers: a hidden dense layer with ReLU, dropout, and an output layer that gives **logits** (the softmax belongs in the loss, `F.cross_entropy`, not in the head).":
        rule(POOLING, FORWARD, mutants=["MeanPoolingCountsPadding", "HeadReturnsSoftmax", "HeadWithoutRelu", "DropoutNeverApplied"]),
    'Complete `ClassifierHead`:':
        context("introduces the list below"),
    '- `__init__`: create `self.hidden = nn.Linear(hidden_size, hidden_dim)`, `self.dropout = nn.Dropout(dropout)`, `self.out = nn.Linear(hidden_dim, num_labels)` (use these names: the tests look at them).':
        rule(FORWARD, mutants=["DropoutRateFixedAtDefault"]),
    '- `pool(last_hidden_state, attention_mask)`: `"cls"` takes the first token\'s vector; `"mean"` averages the vectors of the **real** tokens only (`attention_mask` is 1 for real tokens, 0 for padding).':
        rule(POOLING, mutants=["ClsTakesLastToken", "MeanPoolingCountsPadding", "MeanDividesByAllTokens", "PoolingArgumentIgnored"]),
    'Returns (batch, hidden).':
        rule(POOLING, mutants=["MeanDividesByAllTokens"]),
    '- `forward(last_hidden_state, attention_mask)`: pool, hidden layer, ReLU, dropout, output layer.':
        rule(FORWARD, mutants=["HeadWithoutRelu", "DropoutNeverApplied", "DropoutOnThePooledInput", "DropoutAlsoInEval"]),
    'Returns (batch, num_labels) logits.':
        rule(FORWARD, mutants=["HeadReturnsSoftmax"]),
    'An unknown `pooling` raises `ValueError` (this part is written for you).':
        context("written for the student (not part of the solution)"),
    "Pooling + Linear -> ReLU -> Dropout -> Linear, on top of an encoder's last hidden state.":
        rule(FORWARD, mutants=["HeadWithoutRelu", "DropoutOnThePooledInput"]),
    '(batch, tokens, hidden) and (batch, tokens) -> (batch, hidden).':
        rule(POOLING, mutants=["MeanPoolingCountsPadding"]),
    'Logits of shape (batch, num_labels).':
        rule(FORWARD, mutants=["HeadReturnsSoftmax"]),
    '## 3. Freezing all but the top *n* layers (3 points)':
        context(HEADING),
    '"In computer vision, there is a concept of freezing the representation layers and fine-tuning the downstream feed forward layers."':
        context("a quotation from the lecture notes"),
    'Write `freeze_all_but_top(model, n)` for a BERT-style `model` (its layers are the list `model.encoder.layer`): set `requires_grad = False` on **every** parameter (embeddings, all layers, the pooler), then `True` again on the parameters of the **top** `n` encoder layers only.':
        rule(FREEZE, mutants=["freeze_leaves_embeddings_trainable", "freeze_unfreezes_bottom_layers", "freeze_never_sets_the_top_back"]),
    'Return the pair `(trainable, frozen)`: how many parameter **values** (sum of `p.numel()`) are trainable and frozen.':
        rule(FREEZE, mutants=["freeze_returns_frozen_first", "freeze_counts_tensors_not_values", "freeze_counts_as_tensors"]),
    '`n = 0` freezes the whole encoder (only a head on top would learn); `n` outside `0..len(layers)` raises `ValueError`.':
        rule(FREEZE, mutants=["freeze_minus_zero_slice", "freeze_refuses_every_layer"]),
    'Careful: `layers[-0:]` is the whole list in Python.':
        rule(FREEZE, mutants=["freeze_minus_zero_slice"]),
    'Freeze everything but the top n layers of model.encoder.layer; return (trainable, frozen) value counts.':
        rule(FREEZE, mutants=["freeze_unfreezes_bottom_layers", "freeze_returns_frozen_first"]),
    '## 4. One training step (5 points)':
        context(HEADING),
    'Step 4 of the recipe is the training schedule; its heart is one step.':
        context("motivation"),
    'Write `train_step(encoder, head, batch, optimizer, max_grad_norm=1.0)`:':
        rule(STEP, mutants=["step_without_optimizer_step"]),
    '1. put `encoder` and `head` in train mode and clear old gradients (`optimizer.zero_grad()`),':
        rule(STEP, mutants=["step_leaves_modules_in_eval_mode", "step_puts_only_the_head_in_train_mode", "step_without_zero_grad", "step_zero_grad_only_at_the_end"]),
    '2. run the encoder on `batch["input_ids"]`, `batch["attention_mask"]` (and `batch["token_type_ids"]` when the batch has them), give its `last_hidden_state` and the mask to `head`, and compute `F.cross_entropy(logits, batch["labels"])`,':
        rule(STEP, mutants=["step_ignores_token_type_ids", "step_runs_the_encoder_without_mask", "step_gives_head_an_all_ones_mask", "step_softmax_before_cross_entropy"]),
    '3. back-propagate, **clip** the gradient norm of the trainable parameters of both modules to `max_grad_norm` (`torch.nn.utils.clip_grad_norm_`), and take the optimizer step,':
        rule(STEP, mutants=["step_without_clipping", "step_clips_after_the_step", "step_clips_each_module_separately", "step_before_backward"]),
    '4. return the loss as a Python `float`.':
        rule(STEP, mutants=["step_returns_loss_tensor"]),
    'Frozen parameters (`requires_grad=False`) get no gradient and must not change.':
        rule(STEP, mutants=["step_zero_grad_after_backward"]),
    "One optimisation step on one batch; returns the batch's loss (before the step) as a float.":
        rule(STEP, mutants=["step_returns_loss_tensor", "step_before_backward"]),
    "A practitioner's sanity check: a model that cannot **overfit one small batch** has a bug.":
        context("motivation for the next test"),
    'The next test takes 15 steps on one batch of 8 and expects the loss to fall to less than a third of where it started.':
        rule(OVERFIT, mutants=["step_without_optimizer_step", "step_zero_grad_after_backward"]),
    '## 5. Evaluation with scikit-learn (2 points)':
        context(HEADING),
    'Write `evaluate(y_true, y_pred, num_labels)` returning a dict with':
        rule(EVALUATE, mutants=["evaluate_confusion_without_labels"]),
    '- `"accuracy"`: the share of correct predictions (`sklearn.metrics.accuracy_score`),':
        rule(EVALUATE, mutants=["evaluate_error_rate_as_accuracy"]),
    '- `"macro_f1"`: the unweighted mean of the per-class F1 scores (`f1_score(y_true, y_pred, average="macro")`): every class counts the same, however rare; like sklearn, average over the classes that occur in `y_true` or `y_pred` (a class that occurs in neither has no F1 score),':
        rule(EVALUATE, mutants=["evaluate_micro_f1", "evaluate_weighted_f1", "evaluate_macro_f1_over_classes_that_never_occur"]),
    '- `"confusion"`: the `num_labels x num_labels` confusion matrix, **rows = true class, columns = predicted class**, including classes that never occur (pass `labels=range(num_labels)`).':
        rule(EVALUATE, mutants=["evaluate_confusion_transposed", "evaluate_confusion_without_labels"]),
    'Accuracy, macro-F1 and the confusion matrix (rows true, columns predicted) of integer predictions.':
        rule(EVALUATE, mutants=["evaluate_confusion_transposed"]),
    '## 6. Token classification: one label per token (4 points)':
        context(HEADING),
    "Named-entity recognition labels every word (`B-PER`, `I-PER`, `O`, ...), and BERT puts a classification layer on **every** token's final vector, not only on `[CLS]`.":
        context("motivation: the token-classification head"),
    'WordPiece splits a rare word into several sub-tokens, so the labels have to move from words to tokens.':
        context("motivation for align_labels"),
    "BERT's recipe: predict the tag of the **first sub-token** of each word only; the later sub-tokens of the word and the special tokens (`[CLS]`, `[SEP]`, padding) get the label `-100`, which the loss ignores.":
        rule(ALIGN, TOKEN_LOSS, mutants=["align_label_on_every_sub_token", "align_label_on_the_last_sub_token",
                                         "align_special_tokens_labelled_zero", "loss_ignored_tokens_counted_as_label_0"]),
    'A fast tokenizer called on a list of words (`tokenizer(words, is_split_into_words=True)`) says where each token came from: `encoding.word_ids()` holds, for each token, the index of its word, or `None` for a special token.':
        context("describes the input the tests hand over (the tokenizer's word_ids() list)"),
    'With `O` = 0, `B-PER` = 1, `I-PER` = 2:':
        context("introduces the worked example"),
    '| token | `[CLS]` | `ada` | `love` | `##lace` | `met` | `charles` | `ba` | `##bba` | `##ge` | `[SEP]` |':
        context("the worked example"),
    '| word id | `None` | 0 | 1 | 1 | 2 | 3 | 4 | 4 | 4 | `None` |':
        context("the worked example"),
    '| word label | | 1 | 2 | | 0 | 1 | 2 | | | |':
        context("the worked example"),
    '| token label | -100 | 1 | 2 | -100 | 0 | 1 | 2 | -100 | -100 | -100 |':
        context("the worked example"),
    'Write `align_labels(word_ids, word_labels, ignore_index=-100)`: `word_ids` is that list for one sentence and `word_labels` holds one label id per word.':
        rule(ALIGN, mutants=["align_ignore_index_fixed_at_minus_100"]),
    "Return a Python `list` of `int`s, one per token: the word's label on the **first** sub-token of each word, and `ignore_index` on the later sub-tokens of the same word and on every special token (word id `None`).":
        rule(ALIGN, mutants=["align_returns_a_tensor", "align_keeps_numpy_integers", "align_skips_special_tokens",
                             "align_label_on_every_sub_token", "align_label_on_the_last_sub_token",
                             "align_special_tokens_labelled_zero", "align_ignore_index_fixed_at_minus_100",
                             "align_first_and_last_tokens_taken_as_special"]),
    'Hint: a token starts a new word when its word id is not `None` and differs from the word id of the token before it (two neighbouring words may well have the same label).':
        rule(ALIGN, mutants=["align_new_word_when_the_label_changes", "align_previous_word_starts_at_zero"]),
    "One label per token: the word's label on its first sub-token, ignore_index on the rest and on special tokens.":
        rule(ALIGN, mutants=["align_skips_special_tokens", "align_label_on_the_last_sub_token"]),
    'The loss is the usual cross-entropy, averaged over the tokens that carry a label.':
        rule(TOKEN_LOSS, mutants=["loss_mean_over_all_tokens", "loss_softmax_over_the_tokens"]),
    'Write `token_classification_loss(logits, labels, ignore_index=-100)`: `logits` has shape (batch, tokens, num_labels) and `labels` (batch, tokens) holds a label id, or `ignore_index`, for each token.':
        rule(TOKEN_LOSS, mutants=["loss_ignore_index_fixed_at_minus_100", "loss_softmax_over_the_tokens"]),
    'Return the **mean** cross-entropy over the tokens whose label is not `ignore_index` (each such token counts once, however many labelled tokens its sentence has), as a 0-dimensional tensor that keeps the computation graph (training calls `backward()` on it).':
        rule(TOKEN_LOSS, mutants=["loss_mean_over_all_tokens", "loss_sum_not_mean", "loss_mean_of_sentence_means",
                                  "loss_ignored_tokens_counted_as_label_0", "loss_detached_as_a_new_tensor",
                                  "loss_returns_a_float"]),
    'This is the loss that `BertForTokenClassification` in transformers computes.':
        rule(TOKEN_LOSS, mutants=["loss_mean_of_sentence_means", "loss_ignored_tokens_counted_as_label_0"]),
    'Hint: `F.cross_entropy` wants the classes on dimension 1: flatten batch and tokens into one axis (`reshape(-1, num_labels)`), and read about its `ignore_index` argument.':
        permits("loss_with_classes_moved_to_dim_1", "loss_with_boolean_indexing_and_the_module"),
    'Mean cross-entropy over the tokens whose label is not ignore_index; a 0-d tensor that keeps the graph.':
        rule(TOKEN_LOSS, mutants=["loss_mean_over_all_tokens", "loss_returns_a_float"]),
    '## 7. Extractive question answering: the best legal span (3 points)':
        context(HEADING),
    'For SQuAD-style question answering the question (segment A) and the paragraph (segment B) are packed into one sequence, and fine-tuning adds only a start vector S and an end vector E: `start_logits[i] = S · h_i` and `end_logits[j] = E · h_j` for the final token vectors h.':
        context("where the logits come from (the tests hand the logits over)"),
    'The score of the answer that runs from token i to token j is `start_logits[i] + end_logits[j]`.':
        rule(SPAN, mutants=["span_scored_with_the_product_of_logits"]),
    'Taking the best start and the best end separately can give an impossible answer: an end before the start, an end in the question or on `[SEP]`, or half the paragraph.':
        rule(SPAN, mutants=["span_best_start_and_end_separately", "span_end_may_come_before_start",
                            "span_masks_only_the_start", "span_without_a_length_limit"]),
    "Write `best_span(start_logits, end_logits, context_mask, max_answer_length)` for **one** example: the logits are 1-D float tensors over its tokens, and `context_mask` is a 1-D bool tensor, `True` on the paragraph's tokens.":
        rule(SPAN, mutants=["span_ignores_the_context_mask"]),
    'Return `(start, end)`, a tuple of two Python `int`s: the span with the highest score among the **legal** spans, those with `start <= end`, at most `max_answer_length` tokens long (`end - start + 1 <= max_answer_length`), and both `start` and `end` on context tokens.':
        rule(SPAN, mutants=["span_returns_tensors", "span_returns_a_list", "span_end_may_come_before_start",
                            "span_one_token_too_long", "span_without_a_length_limit", "span_ignores_the_context_mask",
                            "span_masks_only_the_start", "span_masks_only_the_end", "span_best_score_starts_at_zero"]),
    'Ties go to the smallest `start`, then to the smallest `end`.':
        rule(SPAN, mutants=["span_ties_go_to_the_last", "span_ties_go_to_the_longest_answer"]),
    'Every example has at least one context token.':
        context("an assumption the tests keep (no test hands an example without context)"),
    'The (start, end) of the highest-scoring legal answer span of one example, as two Python ints.':
        rule(SPAN, mutants=["span_returns_tensors", "span_best_start_and_end_separately"]),
    '## Putting it together (not graded)':
        context(HEADING),
    "With your functions the lecture's pipeline is a few lines.":
        context("an ungraded demonstration"),
    'This cell fine-tunes the top layer of a tiny BERT and a mean-pooling head on a toy task, just to see the pieces fit; the lecture does the real thing with MiniLM.':
        context("an ungraded demonstration"),
    '## 8. Freezing or fine-tuning everything? (2 points, graded by hand)':
        context(HEADING),
    'In the lecture a frozen MiniLM with an MLP head and a fully fine-tuned MiniLM were compared on the same test split.':
        context(WRITTEN),
    'In 4-6 sentences: when would you freeze the encoder and train only a head, and when would you fine-tune all layers?':
        context(WRITTEN),
    "Mention at least two of: amount of labelled data, compute per step (and that frozen encoder outputs can be computed once), risk of overfitting / forgetting, and how different the task's text is from the pre-training text.":
        context(WRITTEN),
}
