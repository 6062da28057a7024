"""all-MiniLM-L6-v2's pooled outputs over the NLI and emotion sets, computed once offline and shipped.

Lectures 05 and 06 train heads on a FROZEN encoder: its output for an input never changes, so it is computed once. On a
student's CPU that one pass over 1,080 sentence pairs, their 2,160 sentences and 1,750 emotion sentences costs
about 30 s of the lecture's 120 s budget, so the course ships the result (float16, about 6 MB) and the lecture
re-encodes a random sample and compares (`check_sample`). With another model (LLMCOURSE_MODEL) the shipped numbers
do not apply: the lecture calls `compute` instead.

Arrays per split, in the data file's order (float16, 384 numbers each, not normalised):
- nli_course: `pair_cls`, `pair_mean` (premise and hypothesis read together, `[CLS] p [SEP] h [SEP]`: the
  cross-encoder's input), `premise_mean`, `hypothesis_mean` (each sentence alone: the bi-encoder's input);
- emotion_course: `cls`, `mean`;
- sts_course (one split, "all": the 600 distinct sentences of the 300 pairs, sorted): `cls`, `mean`, `max`.

    .venv/bin/python -m llmcourse.datasets.minilm_features   # (re)compute the three files (about 35 s on one core)
"""
from __future__ import annotations

import numpy as np

from llmcourse.paths import DATA_DIR, data_path

FILE = "minilm_features.npz"
SPLITS = ("train", "validation", "test")
DATASETS = ("nli_course", "emotion_course", "sts_course")
STS_SPLIT = "all"         # the STS set is one file of 300 pairs: its 600 distinct sentences, sorted, are one "split"


def splits(dataset: str) -> tuple[str, ...]:
    """The splits shipped for `dataset`."""
    return (STS_SPLIT,) if dataset == "sts_course" else SPLITS


def _inputs(dataset: str, split: str) -> dict[str, list]:
    """What gets encoded for one split: {array prefix: list of texts or (first, second) pairs}."""
    if dataset == "nli_course":
        from llmcourse.datasets.nli_course import load_nli

        rows = load_nli(split)
        return {"pair": [(p, h) for p, h, _ in rows], "premise": [p for p, _, _ in rows],
                "hypothesis": [h for _, h, _ in rows]}
    if dataset == "emotion_course":
        from llmcourse.datasets.emotion_course import load_emotions

        return {"": [text for text, _ in load_emotions(split)]}
    if dataset == "sts_course":
        from llmcourse.datasets.sts_course import load_sts

        first, second, _ = load_sts()
        return {"": sorted(set(first) | set(second))}
    raise ValueError(f"dataset must be one of {DATASETS}, not {dataset!r}")


def _wanted(dataset: str, prefix: str) -> tuple[str, ...]:
    """Which poolings each input kind needs: both for the heads, mean only for the bi-encoder's sentences, and all
    three for the STS sentences (lecture 05's pooling table)."""
    if dataset == "sts_course":
        return ("cls", "mean", "max")
    return ("cls", "mean") if prefix in ("pair", "") else ("mean",)


def compute(dataset: str, split: str, *, tokenizer=None, model=None) -> dict[str, np.ndarray]:
    """Encode one split now (float32), with the same names as `load`."""
    from llmcourse.pooling import POOLINGS, encode_pooled

    out = {}
    for prefix, texts in _inputs(dataset, split).items():
        wanted = _wanted(dataset, prefix)
        pooled = encode_pooled(texts, {name: POOLINGS[name] for name in wanted}, tokenizer=tokenizer, model=model)
        for name in wanted:
            out[f"{prefix}_{name}".lstrip("_")] = pooled[name].numpy()
    return out


def load(dataset: str, split: str) -> dict[str, np.ndarray]:
    """The shipped arrays of one split, as float32 (the heads train in float32)."""
    if split not in splits(dataset):
        raise ValueError(f"split must be one of {splits(dataset)}, not {split!r}")
    with np.load(data_path(dataset, FILE), allow_pickle=False) as shipped:
        return {key.split("/", 1)[1]: shipped[key].astype(np.float32) for key in shipped.files
                if key.startswith(f"{split}/")}


def check_sample(dataset: str, split: str, shipped: dict[str, np.ndarray], size: int = 16, seed: int = 0, *,
                 tokenizer=None, model=None, poolings: dict | None = None) -> float:
    """Re-encode `size` random rows of a split and return the largest difference to the shipped arrays, relative to
    each vector's largest entry (float16 keeps about 3 significant digits: expect below 1e-3). `poolings` ({name:
    function}, default llmcourse.pooling's) lets a lecture check the shipped vectors with its own pooling functions."""
    rows = np.random.default_rng(seed).choice(len(next(iter(shipped.values()))), size=size, replace=False)
    inputs = {prefix: [texts[i] for i in rows] for prefix, texts in _inputs(dataset, split).items()}
    from llmcourse.pooling import POOLINGS, encode_pooled

    worst = 0.0
    for prefix, texts in inputs.items():
        wanted = _wanted(dataset, prefix)
        chosen = {name.lower(): pool for name, pool in (poolings or POOLINGS).items()}
        fresh = encode_pooled(texts, {name: chosen[name] for name in wanted}, tokenizer=tokenizer, model=model)
        for name in wanted:
            stored = shipped[f"{prefix}_{name}".lstrip("_")][rows]
            scale = np.abs(stored).max(axis=1, keepdims=True)
            worst = max(worst, float((np.abs(fresh[name].numpy() - stored) / scale).max()))
    return worst


def write(dataset: str) -> None:
    from llmcourse.models import DEFAULT_MODEL, load_encoder

    tokenizer, model = load_encoder(DEFAULT_MODEL)
    arrays = {f"{split}/{name}": values.astype(np.float16)
              for split in splits(dataset) for name, values in compute(dataset, split, tokenizer=tokenizer, model=model).items()}
    np.savez_compressed(DATA_DIR / dataset / FILE, **arrays)


if __name__ == "__main__":
    for name in DATASETS:
        write(name)
