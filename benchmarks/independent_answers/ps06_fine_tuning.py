"""Independent answers to ps06_fine_tuning, written from the exercise's instructions only.

Written before reading the hidden tests or the project's mutants (tests/mutants/). `@alternative` = a
correct answer in another style, `@mutant` = a plausible wrong answer (the mistake in its name); `breaks` is
left empty: benchmarks/fidelity.py only counts who loses points.
"""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from torch import nn

from llmcourse.authoring.mutation import alternative, mutant


@alternative("encode_pairs")
def right_encode_pairs_longest_first(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding="longest", truncation="longest_first",
                     max_length=max_length, return_tensors="pt")


@alternative("encode_pairs")
def right_encode_pairs_text_pair_keywords_plain_dict(tokenizer, premises, hypotheses, max_length=64):
    encoded = tokenizer(text=list(premises), text_pair=list(hypotheses), padding=True, truncation=True,
                        max_length=max_length, return_tensors="pt")
    return {key: encoded[key] for key in ("input_ids", "token_type_ids", "attention_mask")}


@alternative("ClassifierHead")
class right_head_reference_style(nn.Module):
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
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(pooled))))


@alternative("ClassifierHead")
class right_head_einsum_clamped_mean(nn.Module):
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
        mask = attention_mask.to(last_hidden_state.dtype)
        summed = torch.einsum('bth,bt->bh', last_hidden_state, mask)
        return summed / mask.sum(dim=1, keepdim=True).clamp(min=1e-9)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(pooled))))


@alternative("ClassifierHead")
class right_head_masked_fill_mean_bool_mask(nn.Module):
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
        real = attention_mask.bool()
        summed = last_hidden_state.masked_fill(~real.unsqueeze(-1), 0.0).sum(dim=1)
        return summed / real.sum(dim=1, keepdim=True)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(pooled))))


@alternative("ClassifierHead")
class right_head_functional_relu_steps(nn.Module):
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
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        x = self.pool(last_hidden_state, attention_mask)
        x = self.hidden(x)
        x = F.relu(x)
        x = self.dropout(x)
        return self.out(x)


@alternative("ClassifierHead")
class right_head_relu_module_attribute(nn.Module):
    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(hidden_size, hidden_dim)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_dim, num_labels)
        self.activation = nn.ReLU()

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, 0]
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        h = self.activation(self.hidden(self.pool(last_hidden_state, attention_mask)))
        return self.out(self.dropout(h))


@alternative("freeze_all_but_top")
def right_freeze_requires_grad_on_modules(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError(f"n must be in 0..{len(layers)}")
    model.requires_grad_(False)
    for layer in layers[len(layers) - n:]:
        layer.requires_grad_(True)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


@alternative("freeze_all_but_top")
def right_freeze_by_parameter_names(model, n):
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
def right_freeze_negative_slice_guarded(model, n):
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
def right_train_step_reference_style(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    return loss.item()


@alternative("train_step")
def right_train_step_clip_all_parameters_float(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(list(encoder.parameters()) + list(head.parameters()), max_norm=max_grad_norm)
    optimizer.step()
    return float(loss.detach())


@alternative("train_step")
def right_train_step_clears_gradients_after_too(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.item()


@alternative("train_step")
def right_train_step_itertools_chain(encoder, head, batch, optimizer, max_grad_norm=1.0):
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


@alternative("evaluate")
def right_evaluate_keyword_labels_list(y_true, y_pred, num_labels):
    labels = list(range(num_labels))
    return {"accuracy": accuracy_score(y_true=y_true, y_pred=y_pred),
            "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=labels)}


@alternative("evaluate")
def right_evaluate_numpy_accuracy_and_confusion(y_true, y_pred, num_labels):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    confusion = np.zeros((num_labels, num_labels), dtype=np.int64)
    np.add.at(confusion, (y_true, y_pred), 1)
    return {"accuracy": float((y_true == y_pred).mean()),
            "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
            "confusion": confusion}


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_glued_with_sep_string(tokenizer, premises, hypotheses, max_length=64):
    texts = [p + " [SEP] " + h for p, h in zip(premises, hypotheses)]
    return tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_pads_to_max_length(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding="max_length", truncation=True, max_length=max_length,
                     return_tensors="pt")


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_no_truncation(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding=True, return_tensors="pt")


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_max_length_fixed_64(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding=True, truncation=True, max_length=64, return_tensors="pt")


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_returns_lists(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding=True, truncation=True, max_length=max_length)


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_hypothesis_first(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(hypotheses, premises, padding=True, truncation=True, max_length=max_length,
                     return_tensors="pt")


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_without_special_tokens(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding=True, truncation=True, max_length=max_length,
                     add_special_tokens=False, return_tensors="pt")


@mutant("encode_pairs", breaks=[])
def wrong_encode_pairs_drops_token_type_ids(tokenizer, premises, hypotheses, max_length=64):
    return tokenizer(premises, hypotheses, padding=True, truncation=True, max_length=max_length,
                     return_token_type_ids=False, return_tensors="pt")


@mutant("ClassifierHead", breaks=[])
class wrong_head_mean_counts_padding(nn.Module):
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
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(pooled))))


@mutant("ClassifierHead", breaks=[])
class wrong_head_mean_divides_by_length(nn.Module):
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
        mask = attention_mask.unsqueeze(-1).float()
        return (last_hidden_state * mask).sum(dim=1) / last_hidden_state.shape[1]

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(pooled))))


@mutant("ClassifierHead", breaks=[])
class wrong_head_cls_takes_last_token(nn.Module):
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
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(pooled))))


@mutant("ClassifierHead", breaks=[])
class wrong_head_always_mean(nn.Module):
    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(hidden_size, hidden_dim)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_dim, num_labels)

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "never":
            return last_hidden_state[:, 0]
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(pooled))))


@mutant("ClassifierHead", breaks=[])
class wrong_head_no_relu(nn.Module):
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
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(self.hidden(pooled)))


@mutant("ClassifierHead", breaks=[])
class wrong_head_dropout_not_applied(nn.Module):
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
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(torch.relu(self.hidden(pooled)))


@mutant("ClassifierHead", breaks=[])
class wrong_head_dropout_on_pooled_input(nn.Module):
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
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.dropout(self.pool(last_hidden_state, attention_mask))
        return self.out(torch.relu(self.hidden(pooled)))


@mutant("ClassifierHead", breaks=[])
class wrong_head_softmax_in_head(nn.Module):
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
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return torch.softmax(self.out(self.dropout(torch.relu(self.hidden(pooled)))), dim=-1)


@mutant("ClassifierHead", breaks=[])
class wrong_head_dropout_rate_fixed(nn.Module):
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
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(pooled))))


@mutant("ClassifierHead", breaks=[])
class wrong_head_hidden_dim_fixed(nn.Module):
    def __init__(self, hidden_size, num_labels, hidden_dim=64, pooling="mean", dropout=0.1):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
        self.pooling = pooling
        self.hidden = nn.Linear(hidden_size, 64)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(64, num_labels)

    def pool(self, last_hidden_state, attention_mask):
        if self.pooling == "cls":
            return last_hidden_state[:, 0]
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(pooled))))


@mutant("ClassifierHead", breaks=[])
class wrong_head_functional_dropout_always_on(nn.Module):
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
        mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
        return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(F.dropout(torch.relu(self.hidden(pooled)), self.dropout.p))


@mutant("ClassifierHead", breaks=[])
class wrong_head_mean_zeroes_padding_in_place(nn.Module):
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
        last_hidden_state.mul_(attention_mask.unsqueeze(-1))
        return last_hidden_state.sum(dim=1) / attention_mask.sum(dim=1, keepdim=True)

    def forward(self, last_hidden_state, attention_mask):
        pooled = self.pool(last_hidden_state, attention_mask)
        return self.out(self.dropout(torch.relu(self.hidden(pooled))))


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_n_zero_unfreezes_everything(model, n):
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


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_bottom_layers(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError("bad n")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[:n]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_one_layer_too_many(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError("bad n")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[len(layers) - n - 1:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_counts_swapped(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError("bad n")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[len(layers) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return frozen, trainable


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_counts_tensors_not_values(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError("bad n")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[len(layers) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return sum(1 for p in model.parameters() if p.requires_grad), sum(1 for p in model.parameters() if not p.requires_grad)


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_no_range_check(model, n):
    layers = model.encoder.layer
    if False:
        raise ValueError("bad n")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[len(layers) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_allows_negative_n(model, n):
    layers = model.encoder.layer
    if n > len(layers):
        raise ValueError("bad n")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[len(layers) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_refuses_all_layers(model, n):
    layers = model.encoder.layer
    if not 0 <= n < len(layers):
        raise ValueError("bad n")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[len(layers) - n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_leaves_embeddings_trainable(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError("bad n")
    for i, layer in enumerate(layers):
        for p in layer.parameters():
            p.requires_grad = i >= len(layers) - n
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_forgets_pooler(model, n):
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


@mutant("freeze_all_but_top", breaks=[])
def wrong_freeze_never_unfreezes_top(model, n):
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


@mutant("train_step", breaks=[])
def wrong_train_step_no_clipping(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_clips_after_step(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    optimizer.step()
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_clips_only_head(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(head.parameters(), max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_clips_modules_separately(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(encoder.parameters(), max_grad_norm)
    torch.nn.utils.clip_grad_norm_(head.parameters(), max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_clip_norm_fixed_at_one(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, 1.0)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_clips_values_not_norm(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_value_(parameters, max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_no_zero_grad(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    pass
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_no_train_mode(encoder, head, batch, optimizer, max_grad_norm=1.0):
    pass
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_only_head_in_train_mode(encoder, head, batch, optimizer, max_grad_norm=1.0):
    head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_returns_tensor(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    return loss


@mutant("train_step", breaks=[])
def wrong_train_step_head_gets_all_ones_mask(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, torch.ones_like(batch["attention_mask"]))
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_ignores_token_type_ids(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        pass
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_encoder_without_mask(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    return loss.item()


@mutant("train_step", breaks=[])
def wrong_train_step_returns_loss_after_step(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    return F.cross_entropy(head(encoder(**inputs).last_hidden_state, batch["attention_mask"]), batch["labels"]).item()


@mutant("train_step", breaks=[])
def wrong_train_step_zero_grad_only_at_end(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    pass
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = batch["token_type_ids"]
    hidden = encoder(**inputs).last_hidden_state
    logits = head(hidden, batch["attention_mask"])
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    parameters = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    optimizer.zero_grad()
    return loss.item()


@mutant("evaluate", breaks=[])
def wrong_evaluate_confusion_transposed(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_pred, y_true, labels=range(num_labels))}


@mutant("evaluate", breaks=[])
def wrong_evaluate_confusion_without_labels(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred)}


@mutant("evaluate", breaks=[])
def wrong_evaluate_micro_f1(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="micro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=range(num_labels))}


@mutant("evaluate", breaks=[])
def wrong_evaluate_weighted_f1(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="weighted"),
            "confusion": confusion_matrix(y_true, y_pred, labels=range(num_labels))}


@mutant("evaluate", breaks=[])
def wrong_evaluate_accuracy_as_count(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred, normalize=False),
            "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=range(num_labels))}


@mutant("evaluate", breaks=[])
def wrong_evaluate_three_labels_hard_coded(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=range(3))}


@mutant("evaluate", breaks=[])
def wrong_evaluate_labels_off_by_one(y_true, y_pred, num_labels):
    return {"accuracy": accuracy_score(y_true, y_pred), "macro_f1": f1_score(y_true, y_pred, average="macro"),
            "confusion": confusion_matrix(y_true, y_pred, labels=range(num_labels - 1))}


# ---------------------------------------------------------------- token-level heads (issue 21)
# Written from the release's instructions for parts 6 and 7, by the author of their tests (so less independent
# than the answers above): other styles than tests/mutants/ and mistakes that file does not name.
@alternative("align_labels")
def right_align_labels_with_groupby(word_ids, word_labels, ignore_index=-100):
    import itertools
    labels = []
    for word, run in itertools.groupby(word_ids):
        run = list(run)
        if word is None:
            labels += [ignore_index] * len(run)
        else:
            labels += [int(word_labels[word])] + [ignore_index] * (len(run) - 1)
    return labels


@alternative("align_labels")
def right_align_labels_first_index_of_each_word(word_ids, word_labels, ignore_index=-100):
    first = {}
    for position, word in enumerate(word_ids):
        if word is not None:
            first.setdefault(word, position)
    return [int(word_labels[word]) if word is not None and first[word] == position else ignore_index
            for position, word in enumerate(word_ids)]


@mutant("align_labels", breaks=[])
def wrong_align_labels_continuation_gets_the_inside_tag(word_ids, word_labels, ignore_index=-100):
    """The other common scheme: every sub-token labelled, continuations with the word's label + 1 (B- -> I-)."""
    labels, previous = [], None
    for word in word_ids:
        if word is None:
            labels.append(ignore_index)
        elif word == previous:
            label = int(word_labels[word])
            labels.append(label + 1 if label % 2 == 1 else label)
        else:
            labels.append(int(word_labels[word]))
        previous = word
    return labels


@mutant("align_labels", breaks=[])
def wrong_align_labels_only_first_and_last_are_special(word_ids, word_labels, ignore_index=-100):
    """Assumes [CLS] first and [SEP] last, no padding: a None in between takes the previous word's id."""
    inner, labels, previous = word_ids[1:-1], [ignore_index], None
    for word in inner:
        word = previous if word is None else word
        labels.append(ignore_index if word == previous else int(word_labels[word]))
        previous = word
    return labels + [ignore_index]


@mutant("align_labels", breaks=[])
def wrong_align_labels_one_label_per_word_not_token(word_ids, word_labels, ignore_index=-100):
    return [ignore_index] + [int(label) for label in word_labels] + [ignore_index]


@alternative("token_classification_loss")
def right_token_loss_nll_of_log_softmax(logits, labels, ignore_index=-100):
    log_probs = F.log_softmax(logits, dim=-1).flatten(0, 1)
    return F.nll_loss(log_probs, labels.flatten(), ignore_index=ignore_index)


@alternative("token_classification_loss")
def right_token_loss_logsumexp_by_hand(logits, labels, ignore_index=-100):
    keep = labels != ignore_index
    chosen, kept_labels = logits[keep], labels[keep]
    picked = chosen.gather(1, kept_labels[:, None]).squeeze(1)
    return (torch.logsumexp(chosen, dim=1) - picked).mean()


@mutant("token_classification_loss", breaks=[])
def wrong_token_loss_softmax_then_cross_entropy(logits, labels, ignore_index=-100):
    probabilities = torch.softmax(logits, dim=-1)
    return F.cross_entropy(probabilities.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=ignore_index)


@mutant("token_classification_loss", breaks=[])
def wrong_token_loss_without_ignore_index(logits, labels, ignore_index=-100):
    """Relies on cross_entropy's default: right for -100 only."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))


@mutant("token_classification_loss", breaks=[])
def wrong_token_loss_reduction_sum_over_batch_size(logits, labels, ignore_index=-100):
    total = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=ignore_index,
                            reduction="sum")
    return total / logits.shape[0]


@alternative("best_span")
def right_best_span_triu_tril(start_logits, end_logits, context_mask, max_answer_length):
    n = len(start_logits)
    band = torch.ones(n, n, dtype=torch.bool).triu().tril(max_answer_length - 1)
    legal = band & torch.outer(context_mask, context_mask)
    scores = torch.where(legal, start_logits.unsqueeze(1) + end_logits.unsqueeze(0), torch.tensor(float("-inf")))
    flat = int(torch.argmax(scores))
    return divmod(flat, n)


@alternative("best_span")
def right_best_span_end_outer_loop(start_logits, end_logits, context_mask, max_answer_length):
    """Ends outer, starts inner: with additive scores the smallest start among the best spans is found anyway."""
    best, answer = -float("inf"), None
    positions = torch.nonzero(context_mask).flatten().tolist()
    for start in positions:
        for end in positions:
            if start <= end < start + max_answer_length:
                score = float(start_logits[start]) + float(end_logits[end])
                if score > best:
                    best, answer = score, (start, end)
    return answer


@mutant("best_span", breaks=[])
def wrong_best_span_greedy_start_then_end(start_logits, end_logits, context_mask, max_answer_length):
    """The best context start first, then the best legal end after it."""
    start = int(start_logits.masked_fill(~context_mask, float("-inf")).argmax())
    window = end_logits[start:start + max_answer_length].masked_fill(~context_mask[start:start + max_answer_length],
                                                                     float("-inf"))
    return start, start + int(window.argmax())


@mutant("best_span", breaks=[])
def wrong_best_span_end_exclusive(start_logits, end_logits, context_mask, max_answer_length):
    start, end = right_best_span_triu_tril(start_logits, end_logits, context_mask, max_answer_length)
    return start, end + 1


@mutant("best_span", breaks=[])
def wrong_best_span_positions_inside_the_context(start_logits, end_logits, context_mask, max_answer_length):
    """Scores only the context tokens and returns positions counted from the paragraph's first token."""
    starts, ends = start_logits[context_mask], end_logits[context_mask]
    n = len(starts)
    legal = torch.ones(n, n, dtype=torch.bool).triu().tril(max_answer_length - 1)
    scores = (starts[:, None] + ends[None, :]).masked_fill(~legal, float("-inf"))
    return divmod(int(scores.argmax()), n)


@mutant("best_span", breaks=[])
def wrong_best_span_length_counts_the_gap(start_logits, end_logits, context_mask, max_answer_length):
    """end - start < max_answer_length - 1: one token shorter than allowed."""
    n = len(start_logits)
    band = torch.ones(n, n, dtype=torch.bool).triu().tril(max_answer_length - 2)
    legal = band & torch.outer(context_mask, context_mask)
    scores = torch.where(legal, start_logits[:, None] + end_logits[None, :], torch.tensor(float("-inf")))
    return divmod(int(scores.argmax()), n)
