"""Every sentence of exercises/ps04_bert_pretraining (markdown and docstrings) and what enforces it (issue 15).
See tests/instructions/ps01_word2vec_cosine.py for the format."""
from llmcourse.authoring.instructions import context, permits, rule

HEADING = "a heading"
OVERVIEW = "the overview list repeats the parts below, which are enforced there"
SEGMENTS = "test_segment_ids"
INPUT = "test_input_representation"
COUNT = "test_parameter_count"
MASK = "test_mask_tokens_invariants"
RATES = "test_mask_tokens_rates"
NSP = "test_nsp_pairs"
LOSS = "test_masked_lm_loss"
WRITTEN = "the written question, graded by hand with its mark scheme"

TABLE = {
    "# ps04: BERT pre-training: input representation, masked LM and next-sentence prediction": context(HEADING),
    "Pairs with lecture 04 (`lectures/04_bert_pretraining.ipynb`).": context("a pointer to the lecture"),
    "You will write the pieces of BERT's pre-training pipeline yourself, in PyTorch:": context(OVERVIEW),
    "1. segment (token type) ids for a sentence pair,": context(OVERVIEW),
    "2. the input representation: token + segment + position embeddings, then LayerNorm,": context(OVERVIEW),
    "3. the parameter count of a BERT model from L, H (and A),": context(OVERVIEW),
    "4. the masked-LM corruption: choose 15 % of the real tokens, then 80 % `[MASK]` / 10 % random / 10 % unchanged,":
        context(OVERVIEW),
    "5. next-sentence-prediction pairs (50 % IsNext, 50 % NotNext) from documents,": context(OVERVIEW),
    "6. the masked-LM loss over the chosen positions only.": context(OVERVIEW),
    "Each function has visible tests below it; more (hidden) tests with other shapes and values grade it.":
        context("describes the tests"),
    "No function may change the tensors it is given.":
        rule(SEGMENTS, MASK, mutants=["padding_marked_in_the_input", "changes_input_in_place"]),
    "Run the notebook from the top (Kernel > Restart and Run All) before you hand it in.": context("how to work"),
    "Every cell runs in a second or two.": context("describes the notebook"),

    "## 1. Segment ids (2 points)": context(HEADING),
    "BERT reads a pair of sentences as `[CLS] A ...": context("the layout of a pair (the rules follow)"),
    "[SEP] B ...": context("the layout of a pair (the rules follow)"),
    "[SEP]` and adds a *segment* embedding that says which sentence a token belongs to.":
        context("the layout of a pair (the rules follow)"),
    "Write `segment_ids(input_ids, sep_id, pad_id)`:": rule(SEGMENTS, mutants=["padding_assumed_to_be_zero"]),
    "- segment 0 for `[CLS]`, the tokens of A **and the first `[SEP]`**;":
        rule(SEGMENTS, mutants=["segment_b_starts_at_first_sep"]),
    "- segment 1 for the tokens of B **and the second `[SEP]`**;":
        rule(SEGMENTS, mutants=["segment_is_number_of_seps_seen", "everything_segment_a"]),
    "- 0 for padding (`pad_id`), as Hugging Face tokenizers do.":
        rule(SEGMENTS, mutants=["padding_in_segment_b", "padding_assumed_to_be_zero"]),
    "`input_ids` is a LongTensor of shape `(batch, seq_len)`; return a LongTensor of the same shape.":
        rule(SEGMENTS, mutants=["segments_as_booleans", "segments_as_int32"]),
    "(A row with only one `[SEP]` is a single sentence: all 0, also any tokens after that `[SEP]`.)":
        rule(SEGMENTS, mutants=["segment_b_starts_at_first_sep", "segment_b_after_a_lone_sep"]),
    "Hint: `torch.cumsum` over the sequence axis counts the `[SEP]`s seen so far; think about whether the `[SEP]` "
    "itself is counted.": permits("segments_with_a_loop_over_tokens"),
    "Token type ids (0 = sentence A incl. the first [SEP], 1 = sentence B incl. the second [SEP], 0 = padding).":
        rule(SEGMENTS, mutants=["segment_b_starts_at_first_sep", "padding_in_segment_b"]),

    "## 2. The input representation (3 points)": context(HEADING),
    "BERT's input to its first layer is, for each position $i$,": rule(INPUT, mutants=["no_layer_norm"]),
    r"$$x_i = \mathrm{LayerNorm}\big(E_{\text{token}}[\text{id}_i] + E_{\text{segment}}[s_i] + "
    r"E_{\text{position}}[i]\big)$$": rule(INPUT, mutants=["forgot_segment_embeddings", "no_layer_norm"]),
    r"with positions counted from 0, and LayerNorm over the hidden dimension with the *biased* variance: "
    r"$\mathrm{LN}(v) = \gamma \odot (v - \mu) / \sqrt{\sigma^2 + \varepsilon} + \beta$.":
        rule(INPUT, mutants=["positions_start_at_one", "layer_norm_with_unbiased_variance",
                             "eps_outside_the_square_root"]),
    "Write `input_representation(input_ids, token_type_ids, word_embeddings, position_embeddings, type_embeddings, "
    "ln_weight, ln_bias, eps=1e-12)`.": rule(INPUT, mutants=["eps_fixed_at_bert_default"]),
    "The tables are tensors of shape `(V, H)`, `(P, H)`, `(2, H)`; `ln_weight` and `ln_bias` have shape `(H,)`; the "
    "ids are LongTensors of shape `(batch, seq_len)`.": permits("representation_with_embedding_function"),
    "Return `(batch, seq_len, H)`.": rule(INPUT, mutants=["positions_start_at_one"]),
    "Write LayerNorm yourself (no `torch.nn.functional.layer_norm`, no `nn.LayerNorm`: the grader reads your code), "
    "with the `eps` you are given.": rule(INPUT, mutants=["layer_norm_from_the_library", "eps_fixed_at_bert_default"]),
    "LayerNorm(token + segment + position embeddings), shape (batch, seq_len, H).":
        rule(INPUT, mutants=["forgot_segment_embeddings"]),

    "## 3. How many parameters has BERT? (2 points)": context(HEADING),
    "The slides say BERT-base (L = 12, H = 768, A = 12) has 110M parameters and BERT-large (L = 24, H = 1024, "
    "A = 16) 340M.": rule(COUNT, mutants=["forgot_biases", "heads_multiply_the_projections"]),
    "Write `bert_parameter_count(vocab_size, hidden, layers, heads, intermediate=None, max_positions=512, "
    "type_vocab=2)` that returns the exact number of parameters of Hugging Face's `BertModel` (with its pooler):":
        rule(COUNT, mutants=["type_vocabulary_fixed_at_two", "ignores_intermediate_argument"]),
    "- embeddings: token, position and segment tables, then one LayerNorm (a weight and a bias of size H);":
        rule(COUNT, mutants=["forgot_layer_norms"]),
    "- each of the `layers` encoder layers: query, key, value and output projections of the attention (H x H "
    "weights with biases), a LayerNorm, the feed-forward network H -> `intermediate` -> H (weights and biases), a "
    "LayerNorm;": rule(COUNT, mutants=["attention_without_output_projection", "forgot_biases"]),
    "- the pooler: one H x H layer with bias (it makes the [CLS] vector used for next-sentence prediction).":
        rule(COUNT, mutants=["forgot_pooler"]),
    "`intermediate` defaults to 4 H.": rule(COUNT, mutants=["ignores_intermediate_argument"]),
    "Return a Python `int`.": permits("count_layer_by_layer"),
    "Do the heads change the count?": rule(COUNT, mutants=["heads_multiply_the_projections"]),
    "Number of parameters of transformers' BertModel (embeddings, encoder layers, pooler).":
        rule(COUNT, mutants=["forgot_pooler"]),

    "## 4. Masked-LM corruption: 15 %, then 80 / 10 / 10 (5 points)": context(HEADING),
    "Write `mask_tokens(input_ids, special_ids, mask_id, vocab_size, mlm_probability=0.15, seed=0)`.":
        rule(RATES, mutants=["ignores_mlm_probability"]),
    "For **each row** of the LongTensor `input_ids` (shape `(batch, seq_len)`):":
        rule(MASK, mutants=["fifteen_percent_of_whole_sequence"]),
    "1. The candidates are the positions whose id is **not** in `special_ids` (a list that holds `[CLS]`, `[SEP]`, "
    "`[PAD]`, ...).": rule(MASK, mutants=["masks_special_tokens_and_padding"]),
    "Special tokens and padding are never chosen.": rule(MASK, mutants=["masks_special_tokens_and_padding"]),
    "2. Choose exactly `n = max(1, round(mlm_probability * number_of_candidates))` of them, uniformly at random "
    "without replacement (`n = 0` for a row without candidates).":
        rule(MASK, mutants=["fifteen_percent_of_whole_sequence"]),
    "Count only the candidates, not the padding.": rule(MASK, mutants=["fifteen_percent_of_whole_sequence"]),
    "3. For each chosen position draw one uniform number `u`: `u < 0.8` -> replace the id with `mask_id`; "
    "`0.8 <= u < 0.9` -> replace it with a random id, uniform over `0 .. vocab_size - 1` without the special ids; "
    "otherwise leave it unchanged.":
        rule(RATES, MASK, mutants=["always_mask", "no_random_replacement", "ten_percent_mask_eighty_percent_random",
                                   "last_vocabulary_id_never_drawn"]),
    "Return `(masked_ids, labels)`: `masked_ids` the corrupted copy (do not change `input_ids`), `labels` the "
    "**original** id at the chosen positions and **-100** everywhere else (PyTorch's cross-entropy ignores -100).":
        rule(MASK, mutants=["changes_input_in_place", "labels_zero_instead_of_minus_100", "labels_on_every_position",
                            "masked_ids_as_int32"]),
    "Use your own generator, `g = torch.Generator().manual_seed(seed)`, for every random draw (`generator=g`), so "
    "that the same seed gives the same result; never seed or draw from torch's global generator (the grader reads "
    "your code).": rule(MASK, mutants=["not_seeded", "seeds_the_global_generator"]),
    "BERT's masked-LM corruption.": context("the docstring's title"),
    "Returns (masked_ids, labels) with labels -100 where nothing was chosen.":
        rule(MASK, mutants=["labels_zero_instead_of_minus_100"]),

    "## 5. Next-sentence-prediction pairs (3 points)": context(HEADING),
    "Write `make_nsp_pairs(documents, seed=0)`.": rule(NSP, mutants=["unseeded_pairs"]),
    "`documents` is a list of documents, each a list of sentences (strings).": permits("pairs_with_randrange"),
    "Go through the documents in order, and in each document through every sentence except the last, in order.":
        rule(NSP, mutants=["last_sentence_pairs_with_next_document"]),
    "For sentence A = `document[i]`:": rule(NSP, mutants=["last_sentence_pairs_with_next_document"]),
    "- draw `rng.random()` from `rng = random.Random(seed)` (one generator for the whole call);":
        rule(NSP, mutants=["new_generator_for_each_document", "unseeded_pairs"]),
    "- if it is `< 0.5`: B is the real next sentence `document[i + 1]`, label **0** (IsNext);":
        rule(NSP, mutants=["labels_swapped", "always_is_next"]),
    "- otherwise: B is a random sentence of a random **other** document: `rng.choice` of the other documents (in "
    "order), then `rng.choice` of its sentences, label **1** (NotNext).":
        rule(NSP, mutants=["not_next_from_any_document", "sentence_drawn_before_document"]),
    "Never seed or draw from Python's global `random` (the grader reads your code).":
        rule(NSP, mutants=["global_random_seeded"]),
    "Return a list of `(sentence_a, sentence_b, label)` tuples with integer labels (`int`, not `bool`).":
        rule(NSP, mutants=["labels_as_booleans"]),
    "(These are the label values of Hugging Face's `BertForPreTraining`: 0 means \"B continues A\".)":
        rule(NSP, mutants=["labels_swapped"]),
    "[(sentence_a, sentence_b, label)], label 0 = IsNext (B follows A), 1 = NotNext (B from another document).":
        rule(NSP, mutants=["labels_swapped", "not_next_from_any_document"]),

    "## 6. The masked-LM loss (2 points)": context(HEADING),
    "The MLM loss is the cross-entropy of the model's prediction at the **chosen** positions only, averaged over "
    "those positions (over the whole batch at once, not per sentence):":
        rule(LOSS, mutants=["averaged_over_all_positions", "mean_per_sentence_then_over_batch"]),
    r"$$L_{\text{MLM}} = -\frac{1}{|C|} \sum_{(b, i) \in C} \log \mathrm{softmax}(z_{b,i})[y_{b,i}]$$":
        rule(LOSS, mutants=["sum_instead_of_mean"]),
    "where $C$ is the set of positions whose label is not -100.":
        rule(LOSS, mutants=["labels_minus_100_treated_as_token_0"]),
    "Write `masked_lm_loss(logits, labels)` for logits of shape `(batch, seq_len, V)` and labels of shape "
    "`(batch, seq_len)`; return a 0-dimensional tensor.": rule(LOSS, mutants=["loss_as_a_python_float"]),
    "Write the log-softmax yourself (`torch.logsumexp` helps); do not call `F.cross_entropy`, `log_softmax` or "
    "`nll_loss` (the grader reads your code).":
        rule(LOSS, mutants=["loss_with_cross_entropy", "loss_with_log_softmax", "log_of_softmax_overflows"]),
    "Mean cross-entropy over the positions whose label is not -100.":
        rule(LOSS, mutants=["averaged_over_all_positions"]),

    "## 7. Supervised or unsupervised? (1 point, graded by hand)": context(HEADING),
    "The slides ask: are masked-LM and next-sentence prediction supervised or unsupervised?": context(WRITTEN),
    "Answer in two or three sentences: where do the labels of each task come from, and what does that let BERT "
    "train on?": context(WRITTEN),
}
