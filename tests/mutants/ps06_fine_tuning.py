"""Plausible wrong answers to ps06 (fine-tuning), each named for its mistake; every graded test cell must catch
at least three of them (tests/test_assignments.py)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from torch import nn

from llmcourse.mutation import mutant


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
