"""Blind answers to ps06, written from the released notebook's instructions only (never from its tests, mutants or
solutions): `@alternative` = a correct answer in another style, `@mutant` = a plausible wrong answer (the mistake in
its name). benchmarks/fidelity.py --answers benchmarks/blind_answers grades them."""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from torch import nn

from llmcourse.authoring.mutation import alternative, mutant


# ---------------------------------------------------------------- 1. encode_pairs
@alternative("encode_pairs")
def right_encode_pairs_two_lists(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(list(premises), list(hypotheses), padding=True, truncation=True, max_length=max_length,
                     return_tensors="pt")


@alternative("encode_pairs")
def right_encode_pairs_keywords_longest(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(text=list(premises), text_pair=list(hypotheses), padding="longest",
                     truncation="longest_first", max_length=max_length, return_tensors="pt",
                     return_token_type_ids=True, return_attention_mask=True)


@alternative("encode_pairs")
def right_encode_pairs_tokenize_then_pad(tokenizer, premises, hypotheses, max_length=64):
    encoded = tokenizer(list(premises), list(hypotheses), truncation=True, max_length=max_length)
    return tokenizer.pad(encoded, padding="longest", return_tensors="pt")


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_glued_sep_string(tokenizer, premises, hypotheses, max_length=64):
    texts = [p + " [SEP] " + h for p, h in zip(premises, hypotheses)]
    return tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_hypothesis_first(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(list(hypotheses), list(premises), padding=True, truncation=True, max_length=max_length,
                     return_tensors="pt")


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_pads_to_max_length(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(list(premises), list(hypotheses), padding="max_length", truncation=True, max_length=max_length,
                     return_tensors="pt")


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_ignores_max_length(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(list(premises), list(hypotheses), padding=True, truncation=True, return_tensors="pt")


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_no_truncation(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(list(premises), list(hypotheses), padding=True, return_tensors="pt")


# ---------------------------------------------------------------- 2. ClassifierHead
@alternative("ClassifierHead")
class right_classifier_head_where_mean(nn.Module):
    """Pooling + Linear -> ReLU -> Dropout -> Linear, on top of an encoder's last hidden state."""

    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(hidden_size, hidden_dim)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_dim, num_labels)

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, 0]
        keep = attention_mask.bool().unsqueeze(-1)
        x = torch.where(keep, last_hidden_state, torch.zeros_like(last_hidden_state))
        return x.sum(dim=1) / keep.sum(dim=1).to(last_hidden_state.dtype).clamp(min=1)

    def forward(self, last_hidden_state, attention_mask):
        x = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(x))))


@alternative("ClassifierHead")
class right_classifier_head_functional_einsum(nn.Module):
    """Pooling + Linear -> ReLU -> Dropout -> Linear, on top of an encoder's last hidden state."""

    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(hidden_size, hidden_dim)
        self.dropout = nn.Dropout(p=dropout)
        self.out = nn.Linear(hidden_dim, num_labels)

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "mean":
            w = attention_mask.to(last_hidden_state.dtype)
            summed = torch.einsum("bth,bt->bh", last_hidden_state, w)
            return summed / w.sum(dim=1, keepdim=True)
        return last_hidden_state.select(1, 0)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        h = F.relu(self.hidden(pooled))
        h = self.dropout(h)
        return self.out(h)


@alternative("ClassifierHead")
class right_classifier_head_sequential_loop(nn.Module):
    """Pooling + Linear -> ReLU -> Dropout -> Linear, on top of an encoder's last hidden state."""

    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(hidden_size, hidden_dim)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_dim, num_labels)

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, 0, :].clone()
        keep = attention_mask.bool()
        rows = [last_hidden_state[b][keep[b]].mean(dim=0) for b in range(last_hidden_state.shape[0])]
        return torch.stack(rows)

    def forward(self, last_hidden_state, attention_mask):
        x = self.pool(last_hidden_state, attention_mask)
        for layer in (self.hidden, nn.ReLU(), self.dropout, self.out):
            x = layer(x)
        return x


@mutant("ClassifierHead", breaks=[])
class wrong_head_mean_pool_ignores_mask(nn.Module):
    """Pooling + Linear -> ReLU -> Dropout -> Linear (with one mistake)."""

    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(hidden_size, hidden_dim)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_dim, num_labels)

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, 0]
        return last_hidden_state.mean(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        x = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(x))))


@mutant("ClassifierHead", breaks=[])
class wrong_head_softmax_on_logits(nn.Module):
    """Pooling + Linear -> ReLU -> Dropout -> Linear (with one mistake)."""

    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(hidden_size, hidden_dim)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_dim, num_labels)

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, 0]
        m = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * m).sum(dim=1) / m.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        x = self.pool(last_hidden_state, attention_mask)
        return torch.softmax(self.out(self.dropout(torch.relu(self.hidden(x)))), dim=-1)


@mutant("ClassifierHead", breaks=[])
class wrong_head_dropout_on_pooled_before_hidden(nn.Module):
    """Pooling + Linear -> ReLU -> Dropout -> Linear (with one mistake)."""

    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(hidden_size, hidden_dim)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_dim, num_labels)

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, 0]
        m = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * m).sum(dim=1) / m.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        x = self.dropout(self.pool(last_hidden_state, attention_mask))
        return self.out(torch.relu(self.hidden(x)))


@mutant("ClassifierHead", breaks=[])
class wrong_head_fixed_dropout_rate(nn.Module):
    """Pooling + Linear -> ReLU -> Dropout -> Linear (with one mistake)."""

    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(hidden_size, hidden_dim)
        self.dropout = nn.Dropout(0.1)
        self.out = nn.Linear(hidden_dim, num_labels)

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, 0]
        m = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * m).sum(dim=1) / m.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        x = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(x))))


@mutant("ClassifierHead", breaks=[])
class wrong_head_cls_takes_last_token(nn.Module):
    """Pooling + Linear -> ReLU -> Dropout -> Linear (with one mistake)."""

    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(hidden_size, hidden_dim)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_dim, num_labels)

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, -1]
        m = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * m).sum(dim=1) / m.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        x = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(x))))


# ---------------------------------------------------------------- 3. freeze_all_but_top
@alternative("freeze_all_but_top")
def right_freeze_loop_slice(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError(f"n must be in 0..{len(layers)}, got {n}")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[len(layers) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return int(trainable), int(frozen)


@alternative("freeze_all_but_top")
def right_freeze_requires_grad_index(model, n):
    num = len(model.encoder.layer)
    if n < 0 or n > num:
        raise ValueError("n out of range")
    model.requires_grad_(False)
    for i in range(num - n, num):
        model.encoder.layer[i].requires_grad_(True)
    counts = [0, 0]
    for p in model.parameters():
        counts[0 if p.requires_grad else 1] += p.numel()
    return (counts[0], counts[1])


@alternative("freeze_all_but_top")
def right_freeze_by_identity_set(model, n):
    layers = list(model.encoder.layer)
    if n not in range(len(layers) + 1):
        raise ValueError(f"n={n} outside 0..{len(layers)}")
    top = layers[::-1][:n]
    top_ids = {id(p) for layer in top for p in layer.parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in top_ids)
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if id(p) in top_ids)
    return trainable, total - trainable


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_negative_slice_n_zero(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError(f"n must be in 0..{len(layers)}, got {n}")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[-n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_bottom_layers(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError(f"n must be in 0..{len(layers)}, got {n}")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[:n]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_only_encoder_layers_pooler_trainable(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError(f"n must be in 0..{len(layers)}, got {n}")
    for p in list(model.embeddings.parameters()) + list(layers.parameters()):
        p.requires_grad = False
    for layer in layers[len(layers) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_no_range_check(model, n):
    layers = model.encoder.layer
    model.requires_grad_(False)
    for layer in layers[max(len(layers) - n, 0):]:
        layer.requires_grad_(True)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_returns_frozen_first(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError(f"n must be in 0..{len(layers)}, got {n}")
    model.requires_grad_(False)
    for layer in layers[len(layers) - n:]:
        layer.requires_grad_(True)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return frozen, trainable


# ---------------------------------------------------------------- 4. train_step
@alternative("train_step")
def right_train_step_plain(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train()
    head.train()
    optimizer.zero_grad()
    out = encoder(**{k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch})
    logits = head(out.last_hidden_state, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    params = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    optimizer.step()
    return loss.item()


@alternative("train_step")
def right_train_step_keywords_module_loss(encoder, head, batch, optimizer, max_grad_norm=1.0):
    for module in (encoder, head):
        module.train(True)
    optimizer.zero_grad(set_to_none=True)
    kwargs = {k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch}
    hidden = encoder(**kwargs)[0]
    logits = head(hidden, batch["attention_mask"])
    loss = nn.CrossEntropyLoss()(logits, batch["labels"])
    loss.backward()
    import itertools
    trainable = filter(lambda p: p.requires_grad, itertools.chain(encoder.parameters(), head.parameters()))
    nn.utils.clip_grad_norm_(list(trainable), max_norm=max_grad_norm)
    optimizer.step()
    return float(loss.detach())


@alternative("train_step")
def right_train_step_positional_token_types(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train()
    head.train()
    optimizer.zero_grad()
    token_type_ids = batch["token_type_ids"] if "token_type_ids" in batch else None
    out = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                  token_type_ids=token_type_ids, return_dict=True)
    logits = head(out.last_hidden_state, batch["attention_mask"])
    loss = F.cross_entropy(logits.float(), batch["labels"])
    value = float(loss.item())
    loss.backward()
    params = [p for m in (encoder, head) for p in m.parameters() if p.requires_grad and p.grad is not None]
    torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    optimizer.step()
    return value


@mutant("train_step", breaks=[])
def wrong_train_step_no_zero_grad(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train()
    head.train()
    out = encoder(**{k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch})
    loss = F.cross_entropy(head(out.last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    params = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_clip_after_step(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train()
    head.train()
    optimizer.zero_grad()
    out = encoder(**{k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch})
    loss = F.cross_entropy(head(out.last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    optimizer.step()
    params = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_clips_modules_separately(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train()
    head.train()
    optimizer.zero_grad()
    out = encoder(**{k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch})
    loss = F.cross_entropy(head(out.last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    torch.nn.utils.clip_grad_norm_([p for p in encoder.parameters() if p.requires_grad], max_grad_norm)
    torch.nn.utils.clip_grad_norm_([p for p in head.parameters() if p.requires_grad], max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_never_sets_train_mode(encoder, head, batch, optimizer, max_grad_norm=1.0):
    optimizer.zero_grad()
    out = encoder(**{k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch})
    loss = F.cross_entropy(head(out.last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    params = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_drops_token_type_ids(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train()
    head.train()
    optimizer.zero_grad()
    out = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    loss = F.cross_entropy(head(out.last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    params = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    optimizer.step()
    return loss.item()


# ---------------------------------------------------------------- 5. evaluate
@alternative("evaluate")
def right_evaluate_sklearn(y_true, y_pred, num_labels):
    return {"accuracy": float(accuracy_score(y_true, y_pred)),
            "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
            "confusion": confusion_matrix(y_true, y_pred, labels=list(range(num_labels)))}


@alternative("evaluate")
def right_evaluate_numpy_manual(y_true, y_pred, num_labels):
    t = np.asarray(y_true).astype(int).ravel()
    p = np.asarray(y_pred).astype(int).ravel()
    confusion = np.zeros((num_labels, num_labels), dtype=np.int64)
    np.add.at(confusion, (t, p), 1)
    f1s = []
    for c in np.union1d(t, p):
        tp = np.sum((t == c) & (p == c))
        fp = np.sum((t != c) & (p == c))
        fn = np.sum((t == c) & (p != c))
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return {"accuracy": float(np.mean(t == p)), "macro_f1": float(np.mean(f1s)), "confusion": confusion}


@alternative("evaluate")
def right_evaluate_from_confusion_loops(y_true, y_pred, num_labels):
    confusion = [[0] * num_labels for _ in range(num_labels)]
    pairs = list(zip([int(v) for v in y_true], [int(v) for v in y_pred]))
    for t, p in pairs:
        confusion[t][p] += 1
    confusion = np.array(confusion)
    correct = int(np.trace(confusion))
    f1s = []
    for c in range(num_labels):
        tp = confusion[c, c]
        fn = confusion[c].sum() - tp
        fp = confusion[:, c].sum() - tp
        if tp + fn + fp == 0:
            continue
        f1s.append(2.0 * tp / (2.0 * tp + fp + fn))
    return {"accuracy": correct / len(pairs), "macro_f1": float(sum(f1s) / len(f1s)), "confusion": confusion}


@mutant("evaluate", breaks=[])
def wrong_evaluate_micro_f1(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred),
            "macro_f1": f1_score(y_true, y_pred, average="micro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=list(range(num_labels)))}


@mutant("evaluate", breaks=[])
def wrong_evaluate_weighted_f1(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred),
            "macro_f1": f1_score(y_true, y_pred, average="weighted"),
            "confusion": confusion_matrix(y_true, y_pred, labels=list(range(num_labels)))}


@mutant("evaluate", breaks=[])
def wrong_evaluate_confusion_transposed(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred),
            "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_pred, y_true, labels=list(range(num_labels)))}


@mutant("evaluate", breaks=[])
def wrong_evaluate_confusion_drops_absent_classes(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred),
            "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred)}


@mutant("evaluate", breaks=[])
def wrong_evaluate_macro_f1_counts_absent_classes_as_zero(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred),
            "macro_f1": f1_score(y_true, y_pred, average="macro", labels=list(range(num_labels)), zero_division=0),
            "confusion": confusion_matrix(y_true, y_pred, labels=list(range(num_labels)))}
