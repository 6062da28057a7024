"""The course's grocery catalogue and shopping baskets (data/grocery/, written by data/generators/grocery.py).

    from llmcourse.datasets.grocery import load_products, load_baskets
    products = load_products()   # 452 Product(product_id, name, aisle, department)
    baskets = load_baskets()     # ~4,000 baskets, each a list of product ids in the order they were picked

Used by lecture 01 (Product2Vec); lecture 07 has its own catalogue (grocery_search). Invented data,
CC BY 4.0 (see data/README.md).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from llmcourse.paths import data_path


@dataclass(frozen=True)
class Product:
    """One catalogue entry. product_id counts from 1 in products.csv order."""

    product_id: int
    name: str
    aisle: str
    department: str


@lru_cache(maxsize=1)
def _products() -> tuple[Product, ...]:
    with open(data_path("grocery", "products.csv"), newline="", encoding="utf-8") as f:
        return tuple(Product(int(row["product_id"]), row["name"], row["aisle"], row["department"])
                     for row in csv.DictReader(f))


def load_products() -> list[Product]:
    """All products in catalogue order (a fresh list each call; the Products themselves are immutable)."""
    return list(_products())


@lru_cache(maxsize=1)
def _baskets() -> tuple[tuple[int, ...], ...]:
    baskets: dict[int, list[int]] = {}
    with open(data_path("grocery", "baskets.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            baskets.setdefault(int(row["basket_id"]), []).append(int(row["product_id"]))
    return tuple(tuple(baskets[key]) for key in sorted(baskets))


def load_baskets() -> list[list[int]]:
    """Shopping baskets as lists of product ids (basket order as in baskets.csv; a fresh copy each call)."""
    return [list(basket) for basket in _baskets()]


def products_by_id() -> dict[int, Product]:
    """product_id -> Product, for turning ids back into names."""
    return {product.product_id: product for product in _products()}
