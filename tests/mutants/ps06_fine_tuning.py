"""Plausible wrong answers to ps06 (fine-tuning), each named for its mistake; every graded test cell must catch
at least three of them (tests/test_assignments.py). At the end: correct alternatives that must keep full marks."""
from __future__ import annotations

import itertools

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from torch import nn

from llmcourse.authoring.mutation import alternative, mutant


# ---------------------------------------------------------------- encode_pairs
@mutant("encode_pairs", breaks=["test_encode_pairs"])
def pairs_glued_with_sep_string(tokenizer, premises, hypotheses, max_length=64):
    """One string per pair with a literal [SEP]: every token stays in segment A."""
    texts = [f"{p} [SEP] {h}" for p, h in zip(premises, hypotheses)]
    return tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")


@mutant("encode_pairs", breaks=["test_encode_pairs"])
def pairs_hypothesis_first(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(list(hypotheses), list(premises), padding=True, truncation=True, max_length=max_length,
                     return_tensors="pt")


@mutant("encode_pairs", breaks=["test_encode_pairs"])
def pairs_not_truncated(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(list(premises), list(hypotheses), padding=True, return_tensors="pt")


@mutant("encode_pairs", breaks=["test_encode_pairs"])
def pairs_padded_to_max_length(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(list(premises), list(hypotheses), padding="max_length", truncation=True, max_length=max_length,
                     return_tensors="pt")


# ---------------------------------------------------------------- ClassifierHead
class _Head(nn.Module):
    """The right head; mutants below override one method."""

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
        weights = attention_mask.unsqueeze(-1).float()
        return (last_hidden_state * weights).sum(dim=1) / weights.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(pooled))))


@mutant("ClassifierHead", breaks=["test_pooling"])
class MeanPoolingCountsPadding(_Head):
    def pool(self, last_hidden_state, attention_mask):
        return last_hidden_state[:, 0] if self.pooling == "cls" else last_hidden_state.mean(dim=1)


@mutant("ClassifierHead", breaks=["test_pooling"])
class ClsTakesLastToken(_Head):
    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, -1]
        return super().pool(last_hidden_state, attention_mask)


@mutant("ClassifierHead", breaks=["test_pooling"])
class MeanDividesByAllTokens(_Head):
    """Masks the padding out of the sum but still divides by the full length."""
    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, 0]
        return (last_hidden_state * attention_mask.unsqueeze(-1)).sum(dim=1) / last_hidden_state.shape[1]


@mutant("ClassifierHead", breaks=["test_pooling", "test_head_forward"])
class PoolingArgumentIgnored(_Head):
    """Always mean-pools, whatever `pooling` says."""
    def pool(self, last_hidden_state, attention_mask):
        weights = attention_mask.unsqueeze(-1).float()
        return (last_hidden_state * weights).sum(dim=1) / weights.sum(dim=1)


@mutant("ClassifierHead", breaks=["test_head_forward"])
class HeadWithoutRelu(_Head):
    def forward(self, last_hidden_state, attention_mask):
        return self.out(self.dropout(self.hidden(self.pool(last_hidden_state, attention_mask))))


@mutant("ClassifierHead", breaks=["test_head_forward"])
class HeadReturnsSoftmax(_Head):
    def forward(self, last_hidden_state, attention_mask):
        return torch.softmax(super().forward(last_hidden_state, attention_mask), dim=-1)


@mutant("ClassifierHead", breaks=["test_head_forward"])
class DropoutNeverApplied(_Head):
    def forward(self, last_hidden_state, attention_mask):
        return self.out(torch.relu(self.hidden(self.pool(last_hidden_state, attention_mask))))


@mutant("ClassifierHead", breaks=["test_head_forward"])
class DropoutAlsoInEval(_Head):
    def forward(self, last_hidden_state, attention_mask):
        hidden = torch.relu(self.hidden(self.pool(last_hidden_state, attention_mask)))
        return self.out(F.dropout(hidden, p=self.dropout.p, training=True))


# ---------------------------------------------------------------- freeze_all_but_top
def _counts(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters()) - trainable


def _check_n(model, n):
    if not 0 <= n <= len(model.encoder.layer):
        raise ValueError(n)


@mutant("freeze_all_but_top", breaks=["test_freeze"])
def freeze_unfreezes_bottom_layers(model, n):
    _check_n(model, n)
    for p in model.parameters():
        p.requires_grad = False
    for layer in model.encoder.layer[:n]:
        for p in layer.parameters():
            p.requires_grad = True
    return _counts(model)


@mutant("freeze_all_but_top", breaks=["test_freeze"])
def freeze_minus_zero_slice(model, n):
    """layers[-n:] with n = 0 is the whole list: every layer stays trainable."""
    _check_n(model, n)
    for p in model.parameters():
        p.requires_grad = False
    for layer in model.encoder.layer[-n:]:
        for p in layer.parameters():
            p.requires_grad = True
    return _counts(model)


@mutant("freeze_all_but_top", breaks=["test_freeze"])
def freeze_leaves_embeddings_trainable(model, n):
    """Freezes only the encoder layers below the top n; embeddings and pooler keep learning."""
    _check_n(model, n)
    for layer in model.encoder.layer[:len(model.encoder.layer) - n]:
        for p in layer.parameters():
            p.requires_grad = False
    return _counts(model)


@mutant("freeze_all_but_top", breaks=["test_freeze"])
def freeze_returns_frozen_first(model, n):
    _check_n(model, n)
    for p in model.parameters():
        p.requires_grad = False
    for layer in model.encoder.layer[len(model.encoder.layer) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable, frozen = _counts(model)
    return frozen, trainable


@mutant("freeze_all_but_top", breaks=["test_freeze"])
def freeze_counts_tensors_not_values(model, n):
    _check_n(model, n)
    for p in model.parameters():
        p.requires_grad = False
    for layer in model.encoder.layer[len(model.encoder.layer) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    params = list(model.parameters())
    trainable = sum(1 for p in params if p.requires_grad)
    return trainable, len(params) - trainable


# ---------------------------------------------------------------- train_step
def _inputs(batch):
    return {k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in batch}


def _trainable(encoder, head):
    return [p for m in (encoder, head) for p in m.parameters() if p.requires_grad]


@mutant("train_step", breaks=["test_train_step", "test_overfit_tiny_batch"])
def step_without_optimizer_step(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(), head.train()
    optimizer.zero_grad()
    loss = F.cross_entropy(head(encoder(**_inputs(batch)).last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    torch.nn.utils.clip_grad_norm_(_trainable(encoder, head), max_grad_norm)
    return float(loss.item())


@mutant("train_step", breaks=["test_train_step", "test_overfit_tiny_batch"])
def step_zero_grad_after_backward(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(), head.train()
    loss = F.cross_entropy(head(encoder(**_inputs(batch)).last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    torch.nn.utils.clip_grad_norm_(_trainable(encoder, head), max_grad_norm)
    optimizer.zero_grad()
    optimizer.step()
    return float(loss.item())


@mutant("train_step", breaks=["test_train_step", "test_overfit_tiny_batch"])
def step_before_backward(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(), head.train()
    optimizer.zero_grad()
    loss = F.cross_entropy(head(encoder(**_inputs(batch)).last_hidden_state, batch["attention_mask"]), batch["labels"])
    optimizer.step()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(_trainable(encoder, head), max_grad_norm)
    return float(loss.item())


@mutant("train_step", breaks=["test_train_step"])
def step_without_zero_grad(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(), head.train()
    loss = F.cross_entropy(head(encoder(**_inputs(batch)).last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    torch.nn.utils.clip_grad_norm_(_trainable(encoder, head), max_grad_norm)
    optimizer.step()
    return float(loss.item())


@mutant("train_step", breaks=["test_train_step"])
def step_without_clipping(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(), head.train()
    optimizer.zero_grad()
    loss = F.cross_entropy(head(encoder(**_inputs(batch)).last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    optimizer.step()
    return float(loss.item())


@mutant("train_step", breaks=["test_train_step"])
def step_softmax_before_cross_entropy(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(), head.train()
    optimizer.zero_grad()
    logits = head(encoder(**_inputs(batch)).last_hidden_state, batch["attention_mask"])
    loss = F.cross_entropy(torch.softmax(logits, dim=-1), batch["labels"])
    loss.backward()
    torch.nn.utils.clip_grad_norm_(_trainable(encoder, head), max_grad_norm)
    optimizer.step()
    return float(loss.item())


@mutant("train_step", breaks=["test_train_step", "test_overfit_tiny_batch"])
def step_returns_loss_tensor(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(), head.train()
    optimizer.zero_grad()
    loss = F.cross_entropy(head(encoder(**_inputs(batch)).last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    torch.nn.utils.clip_grad_norm_(_trainable(encoder, head), max_grad_norm)
    optimizer.step()
    return loss.detach()


# ---------------------------------------------------------------- evaluate
def _right(y_true, y_pred, num_labels):
    labels = list(range(num_labels))
    return {"accuracy": float(accuracy_score(y_true, y_pred)),
            "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
            "confusion": confusion_matrix(y_true, y_pred, labels=labels)}


@mutant("evaluate", breaks=["test_evaluate"])
def evaluate_micro_f1(y_true, y_pred, num_labels):
    scores = _right(y_true, y_pred, num_labels)
    scores["macro_f1"] = float(f1_score(y_true, y_pred, average="micro"))
    return scores


@mutant("evaluate", breaks=["test_evaluate"])
def evaluate_weighted_f1(y_true, y_pred, num_labels):
    scores = _right(y_true, y_pred, num_labels)
    scores["macro_f1"] = float(f1_score(y_true, y_pred, labels=list(range(num_labels)), average="weighted",
                                        zero_division=0))
    return scores


@mutant("evaluate", breaks=["test_evaluate"])
def evaluate_confusion_transposed(y_true, y_pred, num_labels):
    scores = _right(y_true, y_pred, num_labels)
    scores["confusion"] = scores["confusion"].T
    return scores


@mutant("evaluate", breaks=["test_evaluate"])
def evaluate_confusion_without_labels(y_true, y_pred, num_labels):
    """Classes that never occur get no row: the matrix shrinks."""
    scores = _right(y_true, y_pred, num_labels)
    scores["confusion"] = confusion_matrix(y_true, y_pred)
    scores["macro_f1"] = float(f1_score(y_true, y_pred, average="macro", zero_division=0))
    return scores


@mutant("evaluate", breaks=["test_evaluate"])
def evaluate_error_rate_as_accuracy(y_true, y_pred, num_labels):
    scores = _right(y_true, y_pred, num_labels)
    scores["accuracy"] = 1.0 - scores["accuracy"]
    return scores


# ---------------------------------------------------------------- what the instructions state and the tests now see
@mutant("encode_pairs", breaks=["test_encode_pairs"])
def pairs_returned_as_lists(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(list(premises), list(hypotheses), padding=True, truncation=True, max_length=max_length)


@mutant("encode_pairs", breaks=["test_encode_pairs"])
def pairs_returned_as_numpy(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(list(premises), list(hypotheses), padding=True, truncation=True, max_length=max_length,
                     return_tensors="np")


@mutant("ClassifierHead", breaks=["test_head_forward"])
class DropoutOnThePooledInput(_Head):
    def forward(self, last_hidden_state, attention_mask):
        pooled = self.dropout(self.pool(last_hidden_state, attention_mask))
        return self.out(torch.relu(self.hidden(pooled)))


@mutant("ClassifierHead", breaks=["test_head_forward"])
class DropoutRateFixedAtDefault(_Head):
    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__(hidden_size, num_labels, hidden_dim, pooling, dropout)
        self.dropout = nn.Dropout(0.1)


@mutant("ClassifierHead", breaks=["test_pooling"])
class MeanZeroesPaddingOfTheCallersTensor(_Head):
    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, 0]
        last_hidden_state.mul_(attention_mask.unsqueeze(-1))
        return last_hidden_state.sum(dim=1) / attention_mask.sum(dim=1, keepdim=True)


@mutant("freeze_all_but_top", breaks=["test_freeze"])
def freeze_refuses_every_layer(model, n):
    if not 0 <= n < len(model.encoder.layer):
        raise ValueError("n out of range")
    for p in model.parameters():
        p.requires_grad = False
    for layer in model.encoder.layer[len(model.encoder.layer) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters()) - trainable


@mutant("freeze_all_but_top", breaks=["test_freeze"])
def freeze_counts_as_tensors(model, n):
    _check_n(model, n)
    for p in model.parameters():
        p.requires_grad = False
    for layer in model.encoder.layer[len(model.encoder.layer) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    sizes = torch.tensor([p.numel() for p in model.parameters()])
    flags = torch.tensor([p.requires_grad for p in model.parameters()])
    return sizes[flags].sum(), sizes[~flags].sum()


@mutant("freeze_all_but_top", breaks=["test_freeze"])
def freeze_never_sets_the_top_back(model, n):
    _check_n(model, n)
    top = {id(p) for layer in model.encoder.layer[len(model.encoder.layer) - n:] for p in layer.parameters()}
    for p in model.parameters():
        if id(p) not in top:
            p.requires_grad = False
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters()) - trainable


def _step(encoder, head, batch, optimizer, max_grad_norm, *, train=("encoder", "head"), inputs=None, head_mask=None,
          clip="before", zero_grad=True):
    """The right step, or one of its mistakes."""
    if "encoder" in train:
        encoder.train()
    if "head" in train:
        head.train()
    if zero_grad:
        optimizer.zero_grad()
    hidden = encoder(**(inputs or _inputs)(batch)).last_hidden_state
    mask = batch["attention_mask"] if head_mask is None else head_mask(batch["attention_mask"])
    loss = F.cross_entropy(head(hidden, mask), batch["labels"])
    loss.backward()
    if clip == "before":
        torch.nn.utils.clip_grad_norm_(_trainable(encoder, head), max_grad_norm)
    elif clip == "separately":
        for module in (encoder, head):
            torch.nn.utils.clip_grad_norm_([p for p in module.parameters() if p.requires_grad], max_grad_norm)
    optimizer.step()
    if clip == "after":
        torch.nn.utils.clip_grad_norm_(_trainable(encoder, head), max_grad_norm)
    return float(loss.item())


@mutant("train_step", breaks=["test_train_step"])
def step_clips_after_the_step(encoder, head, batch, optimizer, max_grad_norm=1.0):
    return _step(encoder, head, batch, optimizer, max_grad_norm, clip="after")


@mutant("train_step", breaks=["test_train_step"])
def step_clips_each_module_separately(encoder, head, batch, optimizer, max_grad_norm=1.0):
    return _step(encoder, head, batch, optimizer, max_grad_norm, clip="separately")


@mutant("train_step", breaks=["test_train_step"])
def step_leaves_modules_in_eval_mode(encoder, head, batch, optimizer, max_grad_norm=1.0):
    return _step(encoder, head, batch, optimizer, max_grad_norm, train=())


@mutant("train_step", breaks=["test_train_step"])
def step_puts_only_the_head_in_train_mode(encoder, head, batch, optimizer, max_grad_norm=1.0):
    return _step(encoder, head, batch, optimizer, max_grad_norm, train=("head",))


@mutant("train_step", breaks=["test_train_step"])
def step_gives_head_an_all_ones_mask(encoder, head, batch, optimizer, max_grad_norm=1.0):
    return _step(encoder, head, batch, optimizer, max_grad_norm, head_mask=torch.ones_like)


@mutant("train_step", breaks=["test_train_step"])
def step_ignores_token_type_ids(encoder, head, batch, optimizer, max_grad_norm=1.0):
    return _step(encoder, head, batch, optimizer, max_grad_norm,
                 inputs=lambda b: {"input_ids": b["input_ids"], "attention_mask": b["attention_mask"]})


@mutant("train_step", breaks=["test_train_step"])
def step_runs_the_encoder_without_mask(encoder, head, batch, optimizer, max_grad_norm=1.0):
    return _step(encoder, head, batch, optimizer, max_grad_norm, inputs=lambda b: {"input_ids": b["input_ids"]})


@mutant("train_step", breaks=["test_train_step"])
def step_zero_grad_only_at_the_end(encoder, head, batch, optimizer, max_grad_norm=1.0):
    loss = _step(encoder, head, batch, optimizer, max_grad_norm, zero_grad=False)
    optimizer.zero_grad()
    return loss


@mutant("train_step", breaks=["test_train_step"])
def step_clamps_the_callers_input_ids(encoder, head, batch, optimizer, max_grad_norm=1.0):
    batch["input_ids"].clamp_(max=48)  # "keep the ids inside the vocabulary", on the caller's tensor
    return _step(encoder, head, batch, optimizer, max_grad_norm)


@mutant("evaluate", breaks=["test_evaluate"])
def evaluate_macro_f1_over_classes_that_never_occur(y_true, y_pred, num_labels):
    labels = list(range(num_labels))
    return {"accuracy": accuracy_score(y_true, y_pred),
            "macro_f1": f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0),
            "confusion": confusion_matrix(y_true, y_pred, labels=labels)}


# ---------------------------------------------------------------- correct alternatives: each keeps full marks
@alternative("encode_pairs")
def pairs_longest_first(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding="longest", truncation="longest_first", max_length=max_length,
                     return_tensors="pt")


@alternative("encode_pairs")
def pairs_as_plain_dict_with_keywords(tokenizer, premises, hypotheses, max_length=64):
    encoded = tokenizer(text=list(premises), text_pair=list(hypotheses), padding=True, truncation=True,
                        max_length=max_length, return_tensors="pt")
    return {key: encoded[key] for key in ("input_ids", "token_type_ids", "attention_mask")}


@alternative("ClassifierHead")
class HeadWithEinsumMeanAndClamp(_Head):
    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, 0, :]
        mask = attention_mask.to(last_hidden_state.dtype)
        summed = torch.einsum("bth,bt->bh", last_hidden_state, mask)
        return summed / mask.sum(dim=1, keepdim=True).clamp(min=1e-9)


@alternative("ClassifierHead")
class HeadWithBoolMaskedFill(_Head):
    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state.select(1, 0)
        real = attention_mask.bool()
        summed = last_hidden_state.masked_fill(~real.unsqueeze(-1), 0.0).sum(dim=1)
        return summed / real.sum(dim=1, keepdim=True)


@alternative("ClassifierHead")
class HeadDropoutBeforeRelu(_Head):
    """relu(dropout(h)) equals dropout(relu(h)) exactly (dropout scales by a positive factor or zeroes)."""

    def forward(self, last_hidden_state, attention_mask):
        return self.out(F.relu(self.dropout(self.hidden(self.pool(last_hidden_state, attention_mask)))))


@alternative("ClassifierHead")
class HeadWithReluModule(_Head):
    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__(hidden_size, num_labels, hidden_dim, pooling, dropout)
        self.activation = nn.ReLU()

    def forward(self, last_hidden_state, attention_mask):
        x = self.pool(last_hidden_state, attention_mask)
        x = self.activation(self.hidden(x))
        return self.out(self.dropout(x))


@alternative("freeze_all_but_top")
def freeze_with_requires_grad_on_modules(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError(f"n must be in 0..{len(layers)}")
    model.requires_grad_(False)
    for layer in layers[len(layers) - n:]:
        layer.requires_grad_(True)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters() if not p.requires_grad)


@alternative("freeze_all_but_top")
def freeze_by_parameter_names(model, n):
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


@alternative("freeze_all_but_top")
def freeze_with_a_guarded_negative_slice(model, n):
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


@alternative("train_step")
def step_with_itertools_chain(encoder, head, batch, optimizer, max_grad_norm=1.0):
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
    return float(loss.detach())


@alternative("train_step")
def step_clipping_every_parameter(encoder, head, batch, optimizer, max_grad_norm=1.0):
    """clip_grad_norm_ skips parameters without a gradient, so the frozen ones may be passed too."""
    encoder.train()
    head.train()
    optimizer.zero_grad(set_to_none=False)
    loss = F.cross_entropy(head(encoder(**_inputs(batch)).last_hidden_state, batch["attention_mask"]), batch["labels"])
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(encoder.parameters()) + list(head.parameters()), max_norm=max_grad_norm)
    optimizer.step()
    return loss.item()


@alternative("train_step")
def step_clearing_gradients_afterwards_too(encoder, head, batch, optimizer, max_grad_norm=1.0):
    loss = _step(encoder, head, batch, optimizer, max_grad_norm)
    optimizer.zero_grad(set_to_none=True)
    return loss


@alternative("evaluate")
def evaluate_by_hand_in_numpy(y_true, y_pred, num_labels):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    confusion = np.zeros((num_labels, num_labels), dtype=np.int64)
    np.add.at(confusion, (y_true, y_pred), 1)
    present = np.union1d(y_true, y_pred)
    f1 = [2 * confusion[c, c] / (confusion[c, :].sum() + confusion[:, c].sum()) for c in present]
    return {"accuracy": float((y_true == y_pred).mean()), "macro_f1": float(np.mean(f1)), "confusion": confusion}


@alternative("evaluate")
def evaluate_with_keywords(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true=y_true, y_pred=y_pred),
            "macro_f1": f1_score(y_true=y_true, y_pred=y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=np.arange(num_labels))}


# ================================================================ the token-level heads (issue 21)
# ---------------------------------------------------------------- align_labels
def _align(word_ids, word_labels, ignore_index=-100, *, where="first", special=None):
    """The right alignment, or one of its mistakes: the label on the first / last / every sub-token of a word;
    `special` the label of a special token (None: ignore_index)."""
    labels = []
    for position, word in enumerate(word_ids):
        if word is None:
            labels.append(ignore_index if special is None else special)
            continue
        before = word_ids[position - 1] if position > 0 else None
        after = word_ids[position + 1] if position + 1 < len(word_ids) else None
        first, last = word != before, word != after
        labelled = {"first": first, "last": last, "every": True}[where]
        labels.append(int(word_labels[word]) if labelled else ignore_index)
    return labels


@mutant("align_labels", breaks=["test_align_labels"])
def align_label_on_every_sub_token(word_ids, word_labels, ignore_index=-100):
    return _align(word_ids, word_labels, ignore_index, where="every")


@mutant("align_labels", breaks=["test_align_labels"])
def align_label_on_the_last_sub_token(word_ids, word_labels, ignore_index=-100):
    return _align(word_ids, word_labels, ignore_index, where="last")


@mutant("align_labels", breaks=["test_align_labels"])
def align_special_tokens_labelled_zero(word_ids, word_labels, ignore_index=-100):
    return _align(word_ids, word_labels, ignore_index, special=0)


@mutant("align_labels", breaks=["test_align_labels"])
def align_ignore_index_fixed_at_minus_100(word_ids, word_labels, ignore_index=-100):
    return _align(word_ids, word_labels, -100)


@mutant("align_labels", breaks=["test_align_labels"])
def align_new_word_when_the_label_changes(word_ids, word_labels, ignore_index=-100):
    """A sub-token continues the word before it when it would get the same label: neighbouring words with the same
    label lose theirs."""
    labels, previous_label = [], None
    for word in word_ids:
        label = None if word is None else int(word_labels[word])
        labels.append(ignore_index if label is None or label == previous_label else label)
        previous_label = label
    return labels


@mutant("align_labels", breaks=["test_align_labels"])
def align_previous_word_starts_at_zero(word_ids, word_labels, ignore_index=-100):
    """`previous = 0` before the loop, updated on words only: the first word looks like a continuation."""
    labels, previous = [], 0
    for word in word_ids:
        if word is None:
            labels.append(ignore_index)
            continue
        labels.append(ignore_index if word == previous else int(word_labels[word]))
        previous = word
    return labels


@mutant("align_labels", breaks=["test_align_labels"])
def align_returns_a_tensor(word_ids, word_labels, ignore_index=-100):
    return torch.tensor(_align(word_ids, word_labels, ignore_index))


@mutant("align_labels", breaks=["test_align_labels"])
def align_skips_special_tokens(word_ids, word_labels, ignore_index=-100):
    """Labels for the real tokens only: the list is shorter than the tokens."""
    return [label for label, word in zip(_align(word_ids, word_labels, ignore_index), word_ids) if word is not None]


@mutant("align_labels", breaks=["test_align_labels"])
def align_keeps_numpy_integers(word_ids, word_labels, ignore_index=-100):
    labels = np.asarray(word_labels)
    return [ignore_index if word is None or (i > 0 and word_ids[i - 1] == word) else labels[word]
            for i, word in enumerate(word_ids)]


@mutant("align_labels", breaks=["test_align_labels"])
def align_first_and_last_tokens_taken_as_special(word_ids, word_labels, ignore_index=-100):
    """Assumes [CLS] first and [SEP] last: wrong for an encoding without special tokens."""
    inner = _align(word_ids[1:-1], word_labels, ignore_index)
    return [ignore_index] + inner + [ignore_index]


@alternative("align_labels")
def align_with_a_comprehension_over_pairs(word_ids, word_labels, ignore_index=-100):
    previous = [None] + list(word_ids[:-1])
    return [ignore_index if word is None or word == before else int(word_labels[word])
            for before, word in zip(previous, word_ids)]


@alternative("align_labels")
def align_with_a_set_of_seen_words(word_ids, word_labels, ignore_index=-100):
    seen, labels = set(), []
    for word in word_ids:
        if word is None or word in seen:
            labels.append(ignore_index)
        else:
            seen.add(word)
            labels.append(word_labels[word])
    return labels


# ---------------------------------------------------------------- token_classification_loss
def _per_token(logits, labels, ignore_index):
    """Each token's cross-entropy (0 where ignored) and the mask of labelled tokens."""
    keep = labels != ignore_index
    picked = F.log_softmax(logits, dim=-1).gather(-1, labels.masked_fill(~keep, 0).unsqueeze(-1)).squeeze(-1)
    return -picked * keep, keep


@mutant("token_classification_loss", breaks=["test_token_classification_loss"])
def loss_mean_over_all_tokens(logits, labels, ignore_index=-100):
    """Ignored tokens cost 0 but still count in the number of tokens."""
    losses, _ = _per_token(logits, labels, ignore_index)
    return losses.mean()


@mutant("token_classification_loss", breaks=["test_token_classification_loss"])
def loss_sum_not_mean(logits, labels, ignore_index=-100):
    losses, _ = _per_token(logits, labels, ignore_index)
    return losses.sum()


@mutant("token_classification_loss", breaks=["test_token_classification_loss"])
def loss_mean_of_sentence_means(logits, labels, ignore_index=-100):
    losses, keep = _per_token(logits, labels, ignore_index)
    return (losses.sum(dim=1) / keep.sum(dim=1).clamp(min=1)).mean()


@mutant("token_classification_loss", breaks=["test_token_classification_loss"])
def loss_ignore_index_fixed_at_minus_100(logits, labels, ignore_index=-100):
    losses, keep = _per_token(logits, labels, -100)
    return losses.sum() / keep.sum()


@mutant("token_classification_loss", breaks=["test_token_classification_loss"])
def loss_ignored_tokens_counted_as_label_0(logits, labels, ignore_index=-100):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.clamp(min=0).reshape(-1))


@mutant("token_classification_loss", breaks=["test_token_classification_loss"])
def loss_softmax_over_the_tokens(logits, labels, ignore_index=-100):
    keep = labels != ignore_index
    picked = F.log_softmax(logits, dim=1).gather(-1, labels.masked_fill(~keep, 0).unsqueeze(-1)).squeeze(-1)
    return (-picked * keep).sum() / keep.sum()


@mutant("token_classification_loss", breaks=["test_token_classification_loss"])
def loss_detached_as_a_new_tensor(logits, labels, ignore_index=-100):
    value = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=ignore_index)
    return torch.tensor(value.item(), requires_grad=True)


@mutant("token_classification_loss", breaks=["test_token_classification_loss"])
def loss_returns_a_float(logits, labels, ignore_index=-100):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=ignore_index).item()


@mutant("token_classification_loss", breaks=["test_token_classification_loss"])
def loss_sets_the_callers_ignored_labels_to_0(logits, labels, ignore_index=-100):
    keep = labels != ignore_index
    labels[~keep] = 0     # "make the labels valid class ids", on the caller's tensor
    losses = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), reduction="none")
    return (losses * keep.reshape(-1)).sum() / keep.sum()


@alternative("token_classification_loss")
def loss_by_hand_with_gather(logits, labels, ignore_index=-100):
    losses, keep = _per_token(logits, labels, ignore_index)
    return losses.sum() / keep.sum()


@alternative("token_classification_loss")
def loss_with_classes_moved_to_dim_1(logits, labels, ignore_index=-100):
    return F.cross_entropy(logits.transpose(1, 2), labels, ignore_index=ignore_index)


@alternative("token_classification_loss")
def loss_with_boolean_indexing_and_the_module(logits, labels, ignore_index=-100):
    keep = labels != ignore_index
    return nn.CrossEntropyLoss()(logits[keep], labels[keep])


# ---------------------------------------------------------------- best_span
def _scan(start_logits, end_logits, context_mask, max_answer_length, *, ordered=True, longest=None, start_mask=True,
          end_mask=True, better=lambda score, best: score > best, best=float("-inf")):
    """A double loop over (start, end), or one of its mistakes."""
    n = len(start_logits)
    longest = max_answer_length if longest is None else longest
    found = (0, 0)
    for i in range(n):
        for j in range(n):
            if (ordered and j < i) or abs(j - i) + 1 > longest:
                continue
            if (start_mask and not context_mask[i]) or (end_mask and not context_mask[j]):
                continue
            score = float(start_logits[i] + end_logits[j])
            if better(score, best):
                best, found = score, (i, j)
    return found


@mutant("best_span", breaks=["test_best_span"])
def span_best_start_and_end_separately(start_logits, end_logits, context_mask, max_answer_length):
    outside = ~context_mask
    return (int(start_logits.masked_fill(outside, float("-inf")).argmax()),
            int(end_logits.masked_fill(outside, float("-inf")).argmax()))


@mutant("best_span", breaks=["test_best_span"])
def span_end_may_come_before_start(start_logits, end_logits, context_mask, max_answer_length):
    return _scan(start_logits, end_logits, context_mask, max_answer_length, ordered=False)


@mutant("best_span", breaks=["test_best_span"])
def span_one_token_too_long(start_logits, end_logits, context_mask, max_answer_length):
    """end - start <= max_answer_length: one token more than allowed."""
    return _scan(start_logits, end_logits, context_mask, max_answer_length, longest=max_answer_length + 1)


@mutant("best_span", breaks=["test_best_span"])
def span_without_a_length_limit(start_logits, end_logits, context_mask, max_answer_length):
    return _scan(start_logits, end_logits, context_mask, max_answer_length, longest=len(start_logits))


@mutant("best_span", breaks=["test_best_span"])
def span_ignores_the_context_mask(start_logits, end_logits, context_mask, max_answer_length):
    return _scan(start_logits, end_logits, context_mask, max_answer_length, start_mask=False, end_mask=False)


@mutant("best_span", breaks=["test_best_span"])
def span_masks_only_the_start(start_logits, end_logits, context_mask, max_answer_length):
    return _scan(start_logits, end_logits, context_mask, max_answer_length, end_mask=False)


@mutant("best_span", breaks=["test_best_span"])
def span_masks_only_the_end(start_logits, end_logits, context_mask, max_answer_length):
    return _scan(start_logits, end_logits, context_mask, max_answer_length, start_mask=False)


@mutant("best_span", breaks=["test_best_span"])
def span_ties_go_to_the_last(start_logits, end_logits, context_mask, max_answer_length):
    return _scan(start_logits, end_logits, context_mask, max_answer_length, better=lambda score, best: score >= best)


@mutant("best_span", breaks=["test_best_span"])
def span_ties_go_to_the_longest_answer(start_logits, end_logits, context_mask, max_answer_length):
    """Smallest start first, but the ends are searched from the right: equal scores keep the longer span."""
    best, found = float("-inf"), None
    for i in range(len(start_logits)):
        for j in reversed(range(i, min(len(end_logits), i + max_answer_length))):
            if context_mask[i] and context_mask[j] and float(start_logits[i] + end_logits[j]) > best:
                best, found = float(start_logits[i] + end_logits[j]), (i, j)
    return found


@mutant("best_span", breaks=["test_best_span"])
def span_scored_with_the_product_of_logits(start_logits, end_logits, context_mask, max_answer_length):
    """start_logits[i] * end_logits[j] instead of the sum."""
    best, found = float("-inf"), None
    for i in range(len(start_logits)):
        for j in range(i, min(len(end_logits), i + max_answer_length)):
            if context_mask[i] and context_mask[j] and float(start_logits[i] * end_logits[j]) > best:
                best, found = float(start_logits[i] * end_logits[j]), (i, j)
    return found


@mutant("best_span", breaks=["test_best_span"])
def span_best_score_starts_at_zero(start_logits, end_logits, context_mask, max_answer_length):
    return _scan(start_logits, end_logits, context_mask, max_answer_length, best=0.0)


@mutant("best_span", breaks=["test_best_span"])
def span_returns_tensors(start_logits, end_logits, context_mask, max_answer_length):
    start, end = _scan(start_logits, end_logits, context_mask, max_answer_length)
    return torch.tensor(start), torch.tensor(end)


@mutant("best_span", breaks=["test_best_span"])
def span_returns_a_list(start_logits, end_logits, context_mask, max_answer_length):
    return list(_scan(start_logits, end_logits, context_mask, max_answer_length))


@mutant("best_span", breaks=["test_best_span"])
def span_masks_the_callers_logits(start_logits, end_logits, context_mask, max_answer_length):
    start_logits[~context_mask] = float("-inf")    # on the caller's tensors
    end_logits[~context_mask] = float("-inf")
    return _scan(start_logits, end_logits, torch.ones_like(context_mask), max_answer_length)


@alternative("best_span")
def span_with_a_double_loop(start_logits, end_logits, context_mask, max_answer_length):
    best, found = None, None
    for i in range(len(start_logits)):
        if not context_mask[i]:
            continue
        for j in range(i, min(len(end_logits), i + max_answer_length)):
            if context_mask[j]:
                score = start_logits[i].item() + end_logits[j].item()
                if best is None or score > best:
                    best, found = score, (i, j)
    return found


@alternative("best_span")
def span_in_numpy(start_logits, end_logits, context_mask, max_answer_length):
    start, end, inside = start_logits.numpy(), end_logits.numpy(), context_mask.numpy()
    scores = start[:, None] + end[None, :]
    width = np.arange(len(start))[None, :] - np.arange(len(start))[:, None]
    legal = (width >= 0) & (width < max_answer_length) & np.outer(inside, inside)
    i, j = np.unravel_index(np.argmax(np.where(legal, scores, -np.inf)), scores.shape)
    return int(i), int(j)


@alternative("best_span")
def span_with_max_over_candidates(start_logits, end_logits, context_mask, max_answer_length):
    positions = [k for k in range(len(context_mask)) if bool(context_mask[k])]
    candidates = [(float(start_logits[i] + end_logits[j]), -i, -j) for i in positions for j in positions
                  if 0 <= j - i < max_answer_length]
    _, i, j = max(candidates)
    return -i, -j
