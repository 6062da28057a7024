"""The grocery search log of lecture 07 (data/grocery_search/, written by data/generators/grocery_search.py).

    from llmcourse.datasets.grocery_search import load_queries, load_synthetic_queries, load_hard_negatives
    train = load_queries("train")   # SearchQuery(query_id, text, intent, split, positives, conversions)
    test = load_queries("test")     # held-out intents: no wording of them is seen in training

Positives are the catalogue products customers converted on (bought) after the search, most converted first.
Product ids refer to the course catalogue, `llmcourse.datasets.grocery.load_products()` (no extra products are
needed). Invented data, CC BY 4.0 (see data/README.md).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from llmcourse.paths import data_path


@dataclass(frozen=True)
class SearchQuery:
    query_id: int
    text: str
    intent: str
    split: str                       # "train" or "test"
    positives: tuple[int, ...]       # converted product ids, most conversions first
    conversions: tuple[int, ...]     # how many conversions each positive had


def _rows(name: str) -> list[dict]:
    with open(data_path("grocery_search", name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def _queries() -> tuple[SearchQuery, ...]:
    converted: dict[int, list[tuple[int, int]]] = {}
    for row in _rows("conversions.csv"):
        converted.setdefault(int(row["query_id"]), []).append((int(row["conversions"]), int(row["product_id"])))
    queries = []
    for row in _rows("queries.csv"):
        pairs = sorted(converted.get(int(row["query_id"]), []), key=lambda cp: (-cp[0], cp[1]))
        queries.append(SearchQuery(int(row["query_id"]), row["query"], row["intent"], row["split"],
                                   tuple(p for _, p in pairs), tuple(c for c, _ in pairs)))
    return tuple(queries)


def load_queries(split: str | None = None) -> list[SearchQuery]:
    """Logged queries with their converted products; split "train", "test" or None (all)."""
    if split not in (None, "train", "test"):
        raise ValueError(f"split should be 'train', 'test' or None, not {split!r}")
    return [q for q in _queries() if split is None or q.split == split]


def load_synthetic_queries() -> list[tuple[str, int]]:
    """(query, product_id) pairs written from product titles (brand and size dropped): data augmentation."""
    return [(row["query"], int(row["product_id"])) for row in _rows("synthetic_queries.csv")]


def load_hard_negatives() -> dict[int, tuple[int, ...]]:
    """query_id -> product ids that share a word or prefix with a training query but belong to another intent."""
    negatives: dict[int, list[int]] = {}
    for row in _rows("hard_negatives.csv"):
        negatives.setdefault(int(row["query_id"]), []).append(int(row["product_id"]))
    return {query_id: tuple(ids) for query_id, ids in negatives.items()}


def load_autocomplete_log() -> list[tuple[str, int]]:
    """(query, searches) for prefix autocomplete, most searched first."""
    return [(row["query"], int(row["searches"])) for row in _rows("autocomplete_log.csv")]
