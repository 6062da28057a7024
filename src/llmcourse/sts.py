"""Evaluate sentence embeddings on a semantic-textual-similarity (STS) file: Spearman x 100 per pooling.

Any tab-separated file in the STS benchmark's layout works (no header):

    genre  file  year  id  score  sentence_1  sentence_2  [extra columns, ignored]

e.g. the course's own `data/sts_course/sts-course.tsv` or the real STSbenchmark `sts-test.tsv`. Like the
SBERT paper and MTEB, the score of a pooling is Spearman's rank correlation between the cosine similarity of the
two sentence vectors and the gold score, times 100. Fields are read with csv.QUOTE_NONE: STS sentences contain
bare double quotes, which a default csv reader would take as the start of a quoted field spanning lines.
"""
from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np

SCORE_COLUMN, FIRST_SENTENCE_COLUMN = 4, 5


def read_sts(path: str | Path) -> tuple[list[str], list[str], np.ndarray]:
    """(sentences_1, sentences_2, gold scores) of an STS-layout file. A first line whose score column is not a
    number is taken as a header and skipped; any later malformed line raises ValueError naming its number."""
    first, second, scores = [], [], []
    with open(path, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
            if not row or all(not field.strip() for field in row):
                continue
            if len(row) < FIRST_SENTENCE_COLUMN + 2:
                raise ValueError(f"{path}, line {number}: expected at least 7 tab-separated columns "
                                 f"(genre, file, year, id, score, sentence 1, sentence 2), found {len(row)}")
            try:
                score = float(row[SCORE_COLUMN])
            except ValueError:
                if number == 1 and not scores:  # a header line
                    continue
                raise ValueError(f"{path}, line {number}: the score column holds {row[SCORE_COLUMN]!r}, "
                                 f"not a number") from None
            first.append(row[FIRST_SENTENCE_COLUMN])
            second.append(row[FIRST_SENTENCE_COLUMN + 1])
            scores.append(score)
    if len(scores) < 2:
        raise ValueError(f"{path} holds {len(scores)} scored pairs; a rank correlation needs at least 2")
    return first, second, np.asarray(scores, dtype=float)


def spearman_x100(predicted, gold) -> float:
    """Spearman's rank correlation between two score lists, times 100 (the STS convention)."""
    from scipy.stats import spearmanr

    return float(spearmanr(np.asarray(predicted, dtype=float), np.asarray(gold, dtype=float)).statistic * 100)


def cosine_rows(a, b) -> np.ndarray:
    """Cosine similarity of each row of `a` with the same row of `b`."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def evaluate_sts(path: str | Path, poolings: dict[str, Callable] | None = None, *, tokenizer=None, model=None,
                 batch_size: int = 64) -> dict[str, float]:
    """Spearman x 100 between cosine(pooled s1, pooled s2) and the gold score, for each pooling.

    `poolings` maps a name to a function (token_embeddings, attention_mask) -> sentence vectors; by default
    MEAN, CLS and MAX from llmcourse.pooling. The encoder defaults to the shipped all-MiniLM-L6-v2.
    Each distinct sentence is encoded once, and one forward pass serves every pooling.
    """
    from llmcourse.pooling import POOLINGS, encode_pooled

    first, second, gold = read_sts(path)
    unique = sorted(set(first) | set(second))
    index = {sentence: i for i, sentence in enumerate(unique)}
    vectors = encode_pooled(unique, poolings or POOLINGS, tokenizer=tokenizer, model=model, batch_size=batch_size)
    rows_1, rows_2 = [index[s] for s in first], [index[s] for s in second]
    return {name: spearman_x100(cosine_rows(v[rows_1].numpy(), v[rows_2].numpy()), gold)
            for name, v in vectors.items()}
