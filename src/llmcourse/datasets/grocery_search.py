"""The grocery search log of lecture 07 (data/grocery_search/, written by data/generators/grocery_search.py).

    from llmcourse.datasets import grocery_search as gs
    products = gs.load_products()        # ~2,300 SearchProduct(product_id, title, brand, aisle)
    train = gs.load_queries("train")     # SearchQuery(query_id, text, searches, intent, kind, split, seen_intent)
    test = gs.load_queries("test")       # held-out wordings of seen intents, and intents never seen in training
    log = gs.load_impressions()          # Impression(query_id, position, product_id, impressions, conversions)
    labels = gs.load_labels()            # intent -> {product_id: "E" | "S" | "C"}; unlisted = Irrelevant
    vectors = gs.load_minilm_vectors()   # text -> MiniLM vector (float16, unit length), computed offline

Conversions (what customers bought after a search) are the training signal; they carry the production ranker's
position and popularity bias. The graded ESCI labels (Exact, Substitute, Complement, Irrelevant) come from the
intent, never from the log: use them to evaluate, not to train. Invented data, CC BY 4.0 (see data/README.md).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from llmcourse.paths import data_path

# Gains of the ESCI labels for nDCG, as in the Amazon KDD Cup 2022 on the Shopping Queries data set.
ESCI_GAINS = {"E": 1.0, "S": 0.1, "C": 0.01, "I": 0.0}


@dataclass(frozen=True)
class SearchProduct:
    product_id: int                  # counts from 1 in products.csv order
    title: str
    brand: str                       # "" for unbranded products
    aisle: str


@dataclass(frozen=True)
class SearchQuery:
    query_id: int
    text: str
    searches: int                    # how often it was searched in the log
    intent: str                      # the need behind it: "type or family[|attribute or brand]"
    kind: str                        # "name" (the type's or family's name), "synonym" or "typo"
    split: str                       # "train" or "test"
    seen_intent: bool                # its need (before "|") is searched by some training query

    @property
    def need(self) -> str:
        return self.intent.split("|")[0]


@dataclass(frozen=True)
class Impression:
    query_id: int
    position: int                    # 1-10 on the result page; 0: bought in the session, not clicked in the results
    product_id: int
    impressions: int                 # times shown there (0 for position 0)
    conversions: int                 # times bought


def _rows(name: str) -> list[dict]:
    with open(data_path("grocery_search", name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def _products() -> tuple[SearchProduct, ...]:
    return tuple(SearchProduct(int(r["product_id"]), r["title"], r["brand"], r["aisle"])
                 for r in _rows("products.csv"))


def load_products() -> list[SearchProduct]:
    """The search catalogue in product_id order (a fresh list each call)."""
    return list(_products())


@lru_cache(maxsize=1)
def _queries() -> tuple[SearchQuery, ...]:
    rows = _rows("queries.csv")
    seen = {r["intent"].split("|")[0] for r in rows if r["split"] == "train"}
    return tuple(SearchQuery(int(r["query_id"]), r["query"], int(r["searches"]), r["intent"], r["kind"], r["split"],
                             r["intent"].split("|")[0] in seen) for r in rows)


def load_queries(split: str | None = None) -> list[SearchQuery]:
    """Distinct logged queries, most searched first; split "train", "test" or None (all)."""
    if split not in (None, "train", "test"):
        raise ValueError(f"split should be 'train', 'test' or None, not {split!r}")
    return [q for q in _queries() if split is None or q.split == split]


@lru_cache(maxsize=1)
def _impressions() -> tuple[Impression, ...]:
    return tuple(Impression(*(int(r[k]) for k in ("query_id", "position", "product_id", "impressions",
                                                      "conversions"))) for r in _rows("impressions.csv"))


def load_impressions() -> list[Impression]:
    """What the production ranker showed for each query, where, how often, and how often it was bought."""
    return list(_impressions())


def conversions(query_ids=None) -> dict[int, dict[int, int]]:
    """query_id -> {product_id: conversions} (products bought at least once after the query), for the given ids."""
    wanted = None if query_ids is None else set(query_ids)
    bought: dict[int, dict[int, int]] = {}
    for row in _impressions():
        if row.conversions and (wanted is None or row.query_id in wanted):
            per_query = bought.setdefault(row.query_id, {})
            per_query[row.product_id] = per_query.get(row.product_id, 0) + row.conversions
    return bought


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {}
    for r in _rows("labels.csv"):
        labels.setdefault(r["intent"], {}).update((int(pid), r["label"]) for pid in r["product_ids"].split())
    return labels


def load_labels() -> dict[str, dict[int, str]]:
    """intent -> {product_id: "E" | "S" | "C"}; a product not listed is Irrelevant ("I") to that intent."""
    return {intent: dict(labels) for intent, labels in _labels().items()}


def load_synthetic_queries() -> list[tuple[str, int]]:
    """(query, product_id) pairs written from product titles (brand and size dropped): data augmentation."""
    return [(row["query"], int(row["product_id"])) for row in _rows("synthetic_queries.csv")]


def load_autocomplete_log() -> list[tuple[str, int]]:
    """(query, searches) of every logged query, most searched first: what prefix autocomplete ranks."""
    return [(q.text, q.searches) for q in sorted(_queries(), key=lambda q: (-q.searches, q.text))]


MINILM_VECTORS_FILE = "minilm_vectors.npz"


def load_minilm_vectors() -> dict[str, "np.ndarray"]:
    """text -> its all-MiniLM-L6-v2 vector (float16, 384 numbers, unit length up to float16 rounding), for every
    product title, logged query and synthetic query. Computed offline, once, by
    `.venv/bin/python data/generators/grocery_search.py --vectors` (mean pooling, at most 32 word pieces)."""
    import numpy as np

    with np.load(data_path("grocery_search", MINILM_VECTORS_FILE), allow_pickle=False) as shipped:
        return dict(zip(shipped["texts"].tolist(), shipped["vectors"]))
