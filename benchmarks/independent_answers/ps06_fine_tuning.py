"""Independent answers to ps06_fine_tuning, written from the exercise's instructions only.

Written before reading the hidden tests or tests/mutants/ps06_fine_tuning.py. Each answer replaces whole
solution cells (by grade_id) of the reference notebook; cells it does not name keep the reference.
"""

ASSIGNMENT = "ps06_fine_tuning"

CORRECT: dict[str, dict[str, str]] = {}
WRONG: dict[str, dict[str, str]] = {}


def correct(name, **cells):
    CORRECT[name] = cells


def wrong(name, **cells):
    WRONG[name] = cells


# ---------------------------------------------------------------- encode_pairs
correct("encode_pairs_longest_first", encode_pairs='''
def encode_pairs(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding="longest", truncation="longest_first",
                     max_length=max_length, return_tensors="pt")
''')
correct("encode_pairs_text_pair_keywords_plain_dict", encode_pairs='''
def encode_pairs(tokenizer, premises, hypotheses, max_length=64):
    encoded = tokenizer(text=list(premises), text_pair=list(hypotheses), padding=True, truncation=True,
                        max_length=max_length, return_tensors="pt")
    return {key: encoded[key] for key in ("input_ids", "token_type_ids", "attention_mask")}
''')
wrong("encode_pairs_glued_with_sep_string", encode_pairs='''
def encode_pairs(tokenizer, premises, hypotheses, max_length=64):
    texts = [p + " [SEP] " + h for p, h in zip(premises, hypotheses)]
    return tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
''')
wrong("encode_pairs_pads_to_max_length", encode_pairs='''
def encode_pairs(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding="max_length", truncation=True, max_length=max_length,
                     return_tensors="pt")
''')
wrong("encode_pairs_no_truncation", encode_pairs='''
def encode_pairs(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding=True, return_tensors="pt")
''')
wrong("encode_pairs_max_length_fixed_64", encode_pairs='''
def encode_pairs(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding=True, truncation=True, max_length=64, return_tensors="pt")
''')
wrong("encode_pairs_returns_lists", encode_pairs='''
def encode_pairs(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding=True, truncation=True, max_length=max_length)
''')
wrong("encode_pairs_hypothesis_first", encode_pairs='''
def encode_pairs(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(hypotheses, premises, padding=True, truncation=True, max_length=max_length,
                     return_tensors="pt")
''')
wrong("encode_pairs_without_special_tokens", encode_pairs='''
def encode_pairs(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding=True, truncation=True, max_length=max_length,
                     add_special_tokens=False, return_tensors="pt")
''')
wrong("encode_pairs_drops_token_type_ids", encode_pairs='''
def encode_pairs(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding=True, truncation=True, max_length=max_length,
                     return_token_type_ids=False, return_tensors="pt")
''')

# ---------------------------------------------------------------- ClassifierHead
HEAD = '''
class ClassifierHead(nn.Module):
    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(HIDDEN_IN, HIDDEN_OUT)
        self.dropout = nn.Dropout(DROPOUT)
        self.out = nn.Linear(hidden_dim, num_labels)

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == CLS_NAME:
            return last_hidden_state[:, CLS_INDEX]
        MEAN_BODY

    def forward(self, last_hidden_state, attention_mask):
        FORWARD_BODY
'''
GOOD = {
    "HIDDEN_IN": "hidden_size", "HIDDEN_OUT": "hidden_dim", "DROPOUT": "dropout", "CLS_NAME": '"cls"',
    "CLS_INDEX": "0",
    "MEAN_BODY": ("mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)\n"
                  "        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)"),
    "FORWARD_BODY": ("pooled = self.pool(last_hidden_state, attention_mask)\n"
                     "        return self.out(self.dropout(torch.relu(self.hidden(pooled))))"),
}


def head(**changes):
    source = HEAD
    for key, value in {**GOOD, **changes}.items():
        source = source.replace(key, value)
    return source


correct("head_reference_style", classifier_head=head())
correct("head_einsum_clamped_mean", classifier_head=head(MEAN_BODY=(
    "mask = attention_mask.to(last_hidden_state.dtype)\n"
    "        summed = torch.einsum('bth,bt->bh', last_hidden_state, mask)\n"
    "        return summed / mask.sum(dim=1, keepdim=True).clamp(min=1e-9)")))
correct("head_masked_fill_mean_bool_mask", classifier_head=head(MEAN_BODY=(
    "real = attention_mask.bool()\n"
    "        summed = last_hidden_state.masked_fill(~real.unsqueeze(-1), 0.0).sum(dim=1)\n"
    "        return summed / real.sum(dim=1, keepdim=True)")))
correct("head_functional_relu_steps", classifier_head=head(FORWARD_BODY=(
    "x = self.pool(last_hidden_state, attention_mask)\n"
    "        x = self.hidden(x)\n"
    "        x = F.relu(x)\n"
    "        x = self.dropout(x)\n"
    "        return self.out(x)")))
correct("head_relu_module_attribute", classifier_head=head(FORWARD_BODY=(
    "h = self.activation(self.hidden(self.pool(last_hidden_state, attention_mask)))\n"
    "        return self.out(self.dropout(h))")).replace(
    "self.out = nn.Linear(hidden_dim, num_labels)",
    "self.out = nn.Linear(hidden_dim, num_labels)\n        self.activation = nn.ReLU()"))
wrong("head_mean_counts_padding", classifier_head=head(MEAN_BODY="return last_hidden_state.mean(dim=1)"))
wrong("head_mean_divides_by_length", classifier_head=head(MEAN_BODY=(
    "mask = attention_mask.unsqueeze(-1).float()\n"
    "        return (last_hidden_state * mask).sum(dim=1) / last_hidden_state.shape[1]")))
wrong("head_cls_takes_last_token", classifier_head=head(CLS_INDEX="-1"))
wrong("head_always_mean", classifier_head=head(CLS_NAME='"never"'))
wrong("head_no_relu", classifier_head=head(FORWARD_BODY=(
    "pooled = self.pool(last_hidden_state, attention_mask)\n"
    "        return self.out(self.dropout(self.hidden(pooled)))")))
wrong("head_dropout_not_applied", classifier_head=head(FORWARD_BODY=(
    "pooled = self.pool(last_hidden_state, attention_mask)\n"
    "        return self.out(torch.relu(self.hidden(pooled)))")))
wrong("head_dropout_on_pooled_input", classifier_head=head(FORWARD_BODY=(
    "pooled = self.dropout(self.pool(last_hidden_state, attention_mask))\n"
    "        return self.out(torch.relu(self.hidden(pooled)))")))
wrong("head_softmax_in_head", classifier_head=head(FORWARD_BODY=(
    "pooled = self.pool(last_hidden_state, attention_mask)\n"
    "        return torch.softmax(self.out(self.dropout(torch.relu(self.hidden(pooled)))), dim=-1)")))
wrong("head_dropout_rate_fixed", classifier_head=head(DROPOUT="0.1"))
wrong("head_hidden_dim_fixed", classifier_head=head(HIDDEN_OUT="64").replace(
    "nn.Linear(hidden_dim, num_labels)", "nn.Linear(64, num_labels)"))
wrong("head_functional_dropout_always_on", classifier_head=head(FORWARD_BODY=(
    "pooled = self.pool(last_hidden_state, attention_mask)\n"
    "        return self.out(F.dropout(torch.relu(self.hidden(pooled)), self.dropout.p))")))
wrong("head_mean_zeroes_padding_in_place", classifier_head=head(MEAN_BODY=(
    "last_hidden_state.mul_(attention_mask.unsqueeze(-1))\n"
    "        return last_hidden_state.sum(dim=1) / attention_mask.sum(dim=1, keepdim=True)")))

# ---------------------------------------------------------------- freeze_all_but_top
correct("freeze_requires_grad_on_modules", freeze_all_but_top='''
def freeze_all_but_top(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError(f"n must be in 0..{len(layers)}")
    model.requires_grad_(False)
    for layer in layers[len(layers) - n:]:
        layer.requires_grad_(True)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen
''')
correct("freeze_by_parameter_names", freeze_all_but_top='''
def freeze_all_but_top(model, n):
    count = len(model.encoder.layer)
    if n < 0 or n > count:
        raise ValueError("n out of range")
    top = tuple(f"encoder.layer.{i}." for i in range(count - n, count))
    trainable = frozen = 0
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name.startswith(top)
        if parameter.requires_grad:
            trainable += parameter.numel()
        else:
            frozen += parameter.numel()
    return trainable, frozen
''')
correct("freeze_negative_slice_guarded", freeze_all_but_top='''
def freeze_all_but_top(model, n):
    layers = model.encoder.layer
    if n not in range(len(layers) + 1):
        raise ValueError("n must be between 0 and the number of layers")
    for p in model.parameters():
        p.requires_grad = False
    if n > 0:
        for layer in layers[-n:]:
            for p in layer.parameters():
                p.requires_grad = True
    counts = [0, 0]
    for p in model.parameters():
        counts[0 if p.requires_grad else 1] += p.numel()
    return tuple(counts)
''')
wrong("freeze_n_zero_unfreezes_everything", freeze_all_but_top='''
def freeze_all_but_top(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError("bad n")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[-n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters()) - trainable
''')
FREEZE = '''
def freeze_all_but_top(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError("bad n")
    for p in model.parameters():
        p.requires_grad = False
    for layer in TOP:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return RESULT
'''


def freeze(top="layers[len(layers) - n:]", result="trainable, frozen", check="if not 0 <= n <= len(layers):"):
    return (FREEZE.replace("TOP", top).replace("RESULT", result)
            .replace("if not 0 <= n <= len(layers):", check))


wrong("freeze_bottom_layers", freeze_all_but_top=freeze(top="layers[:n]"))
wrong("freeze_one_layer_too_many", freeze_all_but_top=freeze(top="layers[len(layers) - n - 1:]"))
wrong("freeze_counts_swapped", freeze_all_but_top=freeze(result="frozen, trainable"))
wrong("freeze_counts_tensors_not_values", freeze_all_but_top=freeze(result=(
    "sum(1 for p in model.parameters() if p.requires_grad), "
    "sum(1 for p in model.parameters() if not p.requires_grad)")))
wrong("freeze_no_range_check", freeze_all_but_top=freeze(check="if False:"))
wrong("freeze_allows_negative_n", freeze_all_but_top=freeze(check="if n > len(layers):"))
wrong("freeze_refuses_all_layers", freeze_all_but_top=freeze(check="if not 0 <= n < len(layers):"))
wrong("freeze_leaves_embeddings_trainable", freeze_all_but_top='''
def freeze_all_but_top(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError("bad n")
    for i, layer in enumerate(layers):
        for p in layer.parameters():
            p.requires_grad = i >= len(layers) - n
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen
''')
wrong("freeze_forgets_pooler", freeze_all_but_top='''
def freeze_all_but_top(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError("bad n")
    for module in (model.embeddings, model.encoder):
        for p in module.parameters():
            p.requires_grad = False
    for layer in layers[len(layers) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen
''')
wrong("freeze_never_unfreezes_top", freeze_all_but_top='''
def freeze_all_but_top(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError("bad n")
    top = set()
    for layer in layers[len(layers) - n:]:
        top |= {id(p) for p in layer.parameters()}
    for p in model.parameters():
        if id(p) not in top:
            p.requires_grad = False
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen
''')

# ---------------------------------------------------------------- train_step
STEP = '''
def train_step(encoder, head, batch, optimizer, max_grad_norm=1.0):
    TRAIN_MODE
    ZERO_GRAD
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, HEAD_MASK)
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    CLIP_AND_STEP
    return RESULT
'''
STEP_GOOD = {
    "TRAIN_MODE": "encoder.train(); head.train()",
    "ZERO_GRAD": "optimizer.zero_grad()",
    "HEAD_MASK": 'batch["attention_mask"]',
    "CLIP_AND_STEP": "torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)\n    optimizer.step()",
    "RESULT": "loss.item()",
}


def step(**changes):
    source = STEP
    for key, value in {**STEP_GOOD, **changes}.items():
        source = source.replace(key, value)
    return source


correct("train_step_reference_style", train_step=step())
correct("train_step_clip_all_parameters_float", train_step=step(
    CLIP_AND_STEP=("torch.nn.utils.clip_grad_norm_(list(encoder.parameters()) + list(head.parameters()),"
                   " max_norm=max_grad_norm)\n    optimizer.step()"),
    RESULT="float(loss.detach())"))
correct("train_step_clears_gradients_after_too", train_step=step(
    CLIP_AND_STEP=("torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)\n    optimizer.step()\n"
                   "    optimizer.zero_grad(set_to_none=True)")))
correct("train_step_itertools_chain", train_step='''
def train_step(encoder, head, batch, optimizer, max_grad_norm=1.0):
    import itertools
    for module in (encoder, head):
        module.train()
    optimizer.zero_grad(set_to_none=True)
    keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch]
    output = encoder(**{k: batch[k] for k in keys})
    loss = F.cross_entropy(head(output.last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    trainable = [p for p in itertools.chain(encoder.parameters(), head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(trainable, max_grad_norm)
    optimizer.step()
    return float(loss)
''')
wrong("train_step_no_clipping", train_step=step(CLIP_AND_STEP="optimizer.step()"))
wrong("train_step_clips_after_step", train_step=step(
    CLIP_AND_STEP="optimizer.step()\n    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)"))
wrong("train_step_clips_only_head", train_step=step(
    CLIP_AND_STEP="torch.nn.utils.clip_grad_norm_(head.parameters(), max_grad_norm)\n    optimizer.step()"))
wrong("train_step_clips_modules_separately", train_step=step(
    CLIP_AND_STEP=("torch.nn.utils.clip_grad_norm_(encoder.parameters(), max_grad_norm)\n"
                   "    torch.nn.utils.clip_grad_norm_(head.parameters(), max_grad_norm)\n    optimizer.step()")))
wrong("train_step_clip_norm_fixed_at_one", train_step=step(
    CLIP_AND_STEP="torch.nn.utils.clip_grad_norm_(parameters, 1.0)\n    optimizer.step()"))
wrong("train_step_clips_values_not_norm", train_step=step(
    CLIP_AND_STEP="torch.nn.utils.clip_grad_value_(parameters, max_grad_norm)\n    optimizer.step()"))
wrong("train_step_no_zero_grad", train_step=step(ZERO_GRAD="pass"))
wrong("train_step_no_train_mode", train_step=step(TRAIN_MODE="pass"))
wrong("train_step_only_head_in_train_mode", train_step=step(TRAIN_MODE="head.train()"))
wrong("train_step_returns_tensor", train_step=step(RESULT="loss"))
wrong("train_step_head_gets_all_ones_mask", train_step=step(HEAD_MASK='torch.ones_like(batch["attention_mask"])'))
wrong("train_step_ignores_token_type_ids", train_step=step().replace(
    '        inputs["token_type_ids"] = batch["token_type_ids"]', "        pass"))
wrong("train_step_encoder_without_mask", train_step=step().replace(
    'inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}',
    'inputs = {"input_ids": batch["input_ids"]}'))
wrong("train_step_returns_loss_after_step", train_step=step(RESULT=(
    'F.cross_entropy(head(encoder(**inputs).last_hidden_state, batch["attention_mask"]), '
    'batch["labels"]).item()')))
wrong("train_step_zero_grad_only_at_end", train_step=step(
    ZERO_GRAD="pass",
    CLIP_AND_STEP=("torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)\n    optimizer.step()\n"
                   "    optimizer.zero_grad()")))

# ---------------------------------------------------------------- evaluate
correct("evaluate_keyword_labels_list", evaluate='''
def evaluate(y_true, y_pred, num_labels):
    labels = list(range(num_labels))
    return {"accuracy": accuracy_score(y_true=y_true, y_pred=y_pred),
            "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=labels)}
''')
correct("evaluate_numpy_accuracy_and_confusion", evaluate='''
def evaluate(y_true, y_pred, num_labels):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    confusion = np.zeros((num_labels, num_labels), dtype=np.int64)
    np.add.at(confusion, (y_true, y_pred), 1)
    return {"accuracy": float((y_true == y_pred).mean()),
            "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
            "confusion": confusion}
''')
wrong("evaluate_confusion_transposed", evaluate='''
def evaluate(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_pred, y_true, labels=range(num_labels))}
''')
wrong("evaluate_confusion_without_labels", evaluate='''
def evaluate(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred)}
''')
wrong("evaluate_micro_f1", evaluate='''
def evaluate(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="micro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=range(num_labels))}
''')
wrong("evaluate_weighted_f1", evaluate='''
def evaluate(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="weighted"),
            "confusion": confusion_matrix(y_true, y_pred, labels=range(num_labels))}
''')
wrong("evaluate_accuracy_as_count", evaluate='''
def evaluate(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred, normalize=False),
            "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=range(num_labels))}
''')
wrong("evaluate_three_labels_hard_coded", evaluate='''
def evaluate(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=range(3))}
''')
wrong("evaluate_labels_off_by_one", evaluate='''
def evaluate(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=range(num_labels - 1))}
''')
