#!/usr/bin/env python3
"""Write the grocery search log of lecture 07 (two-tower retrieval): data/grocery_search/*.csv.

Everything is invented by the course authors on top of the course catalogue (data/grocery/products.csv). Each
search "intent" below is a few query wordings plus a rule (a regular expression over product names) saying which
catalogue products a customer looking for it would buy. Conversions are sampled with a fixed seed:

* queries.csv          query_id, query, intent, split    (split: train / test; a quarter of the intents are held
                       out whole, and 40% of the other intents' less common wordings)
* conversions.csv      query_id, product_id, conversions (products customers bought after the search; this is
                       the positive signal, noisy on purpose: "orange" also converts on bananas and strawberries,
                       co-purchases, and never on blood oranges, which were rarely shown)
* synthetic_queries.csv product_id, query                (queries written from product titles: brand and size
                       dropped, head noun kept; data augmentation for products that no logged query reaches)
* hard_negatives.csv   query_id, product_id              (products that share a word or a prefix with a training
                       query but match another intent, e.g. "tortillas" -> tortilla chips)
* autocomplete_log.csv query, searches                   (how often each query was typed, for prefix completion;
                       includes the near-duplicate wordings of "mac and cheese")

Re-running reproduces the committed files byte for byte (tests/test_07_two_tower_retrieval.py checks it).

    .venv/bin/python data/generators/grocery_search.py            # rewrite data/grocery_search/
    .venv/bin/python data/generators/grocery_search.py --out DIR  # write somewhere else
"""
from __future__ import annotations

import argparse
import csv
import random
import re
from pathlib import Path

SEED = 707
DATA = Path(__file__).resolve().parents[1]
OUT_DIR = DATA / "grocery_search"
CATALOGUE = DATA / "grocery" / "products.csv"

# intent: (query wordings, products it converts on, products excluded from that rule)
INTENTS: dict[str, tuple[list[str], str, str | None]] = {
    "oranges": (["orange", "oranges", "fresh oranges"], r"navel orange|clementine|mandarin|blood orange", None),
    "citrus": (["citrus fruit", "citrus"], r"navel orange|clementine|mandarin|blood orange|^lemons|^limes|grapefruit,", None),
    "clementines": (["clementines", "cuties", "easy peel oranges"], r"clementine|mandarin", None),
    "orange juice": (["orange juice", "oj", "orange juice with pulp"], r"orange juice", None),
    "marmalade": (["marmalade", "orange marmalade", "orange jam"], r"marmalade", None),
    "strawberries": (["strawberries", "fresh strawberries"], r"^(organic )?strawberries", None),
    "berries": (["berries", "fresh berries"], r"^(organic )?strawberries|^blueberries|^raspberries", None),
    "lemons": (["lemons", "lemon"], r"^lemons", None),
    "limes": (["limes", "lime"], r"^limes", None),
    "apples": (["apples", "apple", "fresh apples"], r"(macintosh|honeycrisp|gala) apples", None),
    "bananas": (["bananas", "banana"], r"bananas", None),
    "avocados": (["avocado", "avocados"], r"avocado", None),
    "guacamole": (["guacamole", "guac"], r"guacamole", None),
    "tortillas": (["tortillas", "tortilla", "burrito wraps"], r"tortillas", r"chips"),
    "corn tortillas": (["corn tortillas", "tortillas de maiz"], r"corn tortillas", None),
    "flour tortillas": (["flour tortillas", "soft taco tortillas"], r"flour tortillas", None),
    "tortilla chips": (["tortilla chips", "chips for salsa", "nacho chips"], r"tortilla chips", None),
    "salsa": (["salsa", "chunky salsa", "salsa verde"], r"salsa|pico de gallo", None),
    "taco night": (["taco night", "tacos", "taco kit"], r"taco", None),
    "mac and cheese": (["mac and cheese", "macaroni and cheese", "mac n cheese", "boxed mac and cheese"],
                       r"mac(aroni)? (and|&) cheese|shells and white cheddar", None),
    "elbow macaroni": (["elbow macaroni", "macaroni", "elbow pasta"], r"elbow macaroni", None),
    "macadamia": (["macadamia nuts", "macadamias"], r"macadamia", None),
    "pasta": (["pasta", "dry pasta"], r"spaghetti,|penne|rotini|lasagna noodles|elbow macaroni", None),
    "pasta sauce": (["pasta sauce", "marinara", "spaghetti sauce"], r"pasta sauce|alfredo", None),
    "milk": (["milk", "whole milk", "gallon of milk"], r"whole milk|reduced fat milk|skim milk", r"yogurt|chocolate"),
    "plant milk": (["oat milk", "almond milk", "dairy free milk"], r"oat milk|almond milk", None),
    "chocolate milk": (["chocolate milk"], r"chocolate milk", None),
    "eggs": (["eggs", "dozen eggs", "egg"], r"grade a eggs|brown eggs", None),
    "shredded cheese": (["shredded cheese", "mexican cheese", "cheese for tacos"], r"shredded .*(cheese|cheddar)", None),
    "cheddar": (["cheddar", "cheddar cheese"], r"cheddar", r"cheddar bay|cracker|shells|lunch kit|golden spoon"),
    "parmesan": (["parmesan", "parmesan cheese"], r"parmesan", None),
    "butter": (["butter", "unsalted butter"], r"salted butter", None),
    "peanut butter": (["peanut butter", "pb"], r"peanut butter,", r"cups|bars"),
    "bread": (["bread", "sandwich bread", "loaf of bread"], r"sandwich bread|wheat bread|sourdough", None),
    "flour": (["flour", "all purpose flour", "baking flour"], r"all.purpose flour|bread flour", None),
    "sugar": (["sugar", "brown sugar"], r"sugar,", r"oatmeal"),
    "rice": (["rice", "white rice", "jasmine rice"], r"(white|jasmine|brown|basmati) rice", None),
    "coffee": (["coffee", "ground coffee", "coffee beans"], r"coffee", r"creamer|cold brew|pods"),
    "coffee pods": (["coffee pods", "k cups"], r"coffee pods", None),
    "tea": (["tea", "tea bags"], r"tea bags|herbal tea|earl grey", None),
    "soda": (["soda", "pop", "soft drinks"], r"cola|lemon lime soda|ginger ale|orange soda|root beer", None),
    "water": (["water", "bottled water", "case of water"], r"spring water|distilled water", None),
    "potato chips": (["potato chips", "chips"], r"potato chips|kettle cooked|onion chips", None),
    "ice cream": (["ice cream", "icecream"], r"ice cream,|ice cream sandwiches", None),
    "pizza": (["pizza", "frozen pizza"], r"pizza", None),
    "chicken": (["chicken", "chicken breast", "raw chicken"], r"chicken breast|chicken thighs|whole chicken|chicken wings", None),
    "ground beef": (["ground beef", "hamburger meat"], r"ground beef", None),
    "bacon": (["bacon"], r"bacon", None),
    "toilet paper": (["toilet paper", "tp", "bath tissue"], r"toilet paper", None),
    "paper towels": (["paper towels"], r"paper towels", None),
    "diapers": (["diapers", "nappies"], r"diapers", None),
    "dog food": (["dog food"], r"dog food", None),
    "cat food": (["cat food"], r"cat food", None),
    "laundry": (["laundry detergent", "detergent"], r"laundry detergent", None),
    "toothpaste": (["toothpaste"], r"toothpaste", None),
    "cereal": (["cereal", "breakfast cereal"], r"cereal,|corn flakes|oat rings|raisin bran", r"baby"),
    "oatmeal": (["oatmeal", "oats"], r"rolled oats|quick oats|instant oatmeal", None),
    "yogurt": (["yogurt", "greek yogurt"], r"yogurt", r"tubes"),
    "hummus": (["hummus"], r"hummus", None),
    "dip": (["dip", "chip dip", "queso"], r"dip,|queso", None),
    "nuts": (["nuts", "mixed nuts"], r"almonds|cashews|peanuts|pistachios|walnut|macadamia nuts,|trail mix", None),
    "cookies": (["cookies"], r"cookies,", r"bakery"),
    "crackers": (["crackers"], r"crackers", r"animal"),
    "chocolate": (["chocolate", "candy bar"], r"chocolate bar|peanut butter cups|chocolate candies", None),
    "pancakes": (["pancake mix", "pancakes", "waffle mix"], r"pancake mix|waffle mix|pancake & waffle", None),
    "syrup": (["maple syrup", "syrup"], r"syrup", None),
    "salad": (["salad", "salad kit", "lettuce"], r"salad kit|spring mix|lettuce|romaine", None),
    "tomatoes": (["tomatoes"], r"roma tomatoes|diced tomatoes", None),
    "onions": (["onions", "onion"], r"yellow onions|red onion|green onions", None),
    "potatoes": (["potatoes"], r"russet potatoes|sweet potatoes", None),
    "soup": (["soup", "canned soup"], r"soup", r"ramen"),
    "beans": (["beans", "canned beans"], r"black beans|refried beans|pinto beans|chickpeas", None),
    "soy sauce": (["soy sauce"], r"soy sauce", None),
    "ramen": (["ramen", "instant noodles"], r"ramen|cup noodles", None),
    "hot sauce": (["hot sauce", "sriracha"], r"hot sauce|sriracha", None),
    "ketchup": (["ketchup"], r"ketchup", None),
    "mayo": (["mayo", "mayonnaise"], r"mayonnaise", None),
    "olive oil": (["olive oil", "evoo"], r"olive oil", None),
    "jalapenos": (["jalapenos", "jalapeno"], r"jalapeno", None),
    "cilantro": (["cilantro"], r"cilantro", None),
    "basil": (["basil", "fresh basil"], r"fresh basil", None),
    "grapefruit": (["grapefruit"], r"grapefruit,", None),
    "lemonade": (["lemonade"], r"lemonade", None),
    "apple juice": (["apple juice"], r"apple juice", None),
    "juice boxes": (["juice boxes", "kids juice"], r"juice boxes", None),
    "frozen vegetables": (["frozen vegetables", "frozen veggies"], r"frozen (broccoli|sweet peas|mixed vegetables|corn)", None),
    "frozen fruit": (["frozen fruit", "frozen berries"], r"frozen (strawberries|mixed berries)", None),
    "cream cheese": (["cream cheese"], r"cream cheese", None),
    "sour cream": (["sour cream"], r"^sour cream,", None),
    "fish": (["fish", "fish fillets", "salmon"], r"salmon fillet|cod fillets|tilapia", None),
    "shrimp": (["shrimp"], r"shrimp", None),
    "wipes": (["baby wipes", "wipes"], r"baby wipes", None),
    "shampoo": (["shampoo"], r"shampoo", None),
    "trash bags": (["trash bags", "garbage bags"], r"trash bags", None),
    "foil": (["aluminum foil", "tin foil"], r"aluminum foil", None),
    "granola": (["granola"], r"granola", None),
    "bagels": (["bagels"], r"bagels", None),
    "hot dogs": (["hot dogs", "franks"], r"hot dogs|hot dog buns", None),
    "tofu": (["tofu"], r"tofu", None),
    "flatbread": (["naan", "flatbread", "pita"], r"naan|pita", None),
}
# Co-purchases that show up as conversions (noisy positives) and relevant products that never convert.
NOISE = {"oranges": r"^bananas|^strawberries", "citrus": r"^bananas", "apples": r"^bananas",
         "salsa": r"el sol .*tortilla chips", "tortilla chips": r"el sol .*salsa", "pasta": r"marinara"}
NEVER_CONVERTED = {"oranges": r"blood orange", "citrus": r"blood orange"}
# Held out for evaluation (whole intents: no wording of them is seen in training). The rest are drawn at random.
TEST_INTENTS = ["lemons", "apples", "corn tortillas", "elbow macaroni", "plant milk", "coffee pods", "grapefruit"]
TRAIN_INTENTS = ["oranges", "tortillas", "tortilla chips", "mac and cheese", "macadamia", "salsa"]
TEST_FRACTION = 0.25          # of the intents, held out whole
WORDING_TEST_FRACTION = 0.4   # of the other wordings (never the first, most common one) of the remaining intents
BRANDS = ["Casa Sol", "El Sol", "Cheddar Bay", "Golden Spoon", "Sunny Grove", "Meadow Farms", "Alpine",
          "Green Valley", "Hearth Oven", "Morning Ridge", "Store Brand"]
# Autocomplete: logged wordings plus near-duplicate spellings customers type (searches per month, invented).
EXTRA_AUTOCOMPLETE = {"mac and cheese": 940, "macaroni and cheese": 610, "mac n cheese": 480, "mac & cheese": 300,
                      "mac and cheese cups": 260, "macadamia nuts": 210, "macaroni": 190, "macintosh apples": 170,
                      "mac cheese": 120, "macaroni salad": 90, "mac and cheese frozen": 60,
                      "orange juice": 700, "oranges": 650, "orange": 520, "oj": 400, "orange juice no pulp": 330,
                      "organic bananas": 310, "organic strawberries": 280, "orange marmalade": 80, "orange soda": 70,
                      "tortillas": 560, "tortilla chips": 540, "flour tortillas": 300, "tortilla": 260,
                      "tortilla chips restaurant style": 150, "corn tortillas": 240, "torta rolls": 20}


STOPWORDS = {"and", "for", "with", "the", "of", "de", "fresh"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9%]+", text.lower())


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def read_catalogue(path: Path = CATALOGUE) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return [dict(row, product_id=int(row["product_id"])) for row in csv.DictReader(f)]


def matching(products: list[dict], rule: str, exclude: str | None = None) -> list[int]:
    return [p["product_id"] for p in products if re.search(rule, p["name"].lower())
            and not (exclude and re.search(exclude, p["name"].lower()))]


def clean_title(name: str) -> str:
    """A title as a customer would type it: no brand, no size, lower case."""
    for brand in BRANDS:
        name = name.replace(brand, "")
    name = name.split(",")[0]
    name = re.sub(r"\b\d+(\.\d+)?\s*(oz|lb|ct|count|pack|pk|gal|gallon|fl|ml|liter|qt|inch|x)\b.*$", "", name,
                  flags=re.IGNORECASE)
    return " ".join(_words(name.replace("%", "")))


def synthetic_queries(products: list[dict]) -> list[tuple[int, str]]:
    rows = []
    for p in products:
        title = clean_title(p["name"])
        words = title.split()
        candidates = [title, " ".join(words[-2:]), words[-1] if words else ""]
        seen = []
        for query in candidates:
            if query and query not in seen and not query.isdigit():
                seen.append(query)
        rows += [(p["product_id"], q) for q in seen]
    return rows


def build(products: list[dict]) -> dict[str, list[tuple]]:
    rng = random.Random(SEED)
    by_id = {p["product_id"]: p for p in products}
    relevant = {intent: set(matching(products, rule, exclude)) for intent, (_, rule, exclude) in INTENTS.items()}
    for intent, ids in relevant.items():
        assert ids, f"intent '{intent}' matches no product in the catalogue"
    others = [i for i in INTENTS if i not in TEST_INTENTS + TRAIN_INTENTS]
    rng.shuffle(others)
    n_test = round(TEST_FRACTION * len(INTENTS)) - len(TEST_INTENTS)
    test_intents = set(TEST_INTENTS) | set(others[:n_test])

    queries, conversions = [], []
    popularity = {pid: rng.uniform(0.3, 1.0) for pid in by_id}
    for intent, (wordings, _, _) in INTENTS.items():
        never = set(matching(products, NEVER_CONVERTED[intent])) if intent in NEVER_CONVERTED else set()
        noise = set(matching(products, NOISE[intent])) if intent in NOISE else set()
        for position, query in enumerate(wordings):
            query_id = len(queries) + 1
            held_out = intent in test_intents or (position > 0 and intent not in TRAIN_INTENTS
                                                  and rng.random() < WORDING_TEST_FRACTION)
            queries.append((query_id, query, intent, "test" if held_out else "train"))
            volume = 160 / (1 + position)  # the first wording is the most common
            for pid in sorted(relevant[intent] - never):
                conversions.append((query_id, pid, max(1, round(volume * popularity[pid] * rng.uniform(0.5, 1.0)))))
            for pid in sorted(noise - relevant[intent]):
                conversions.append((query_id, pid, rng.randint(2, 6)))

    train_ids = {q[0] for q in queries if q[3] == "train"}
    converted = {}
    for query_id, pid, _ in conversions:
        converted.setdefault(query_id, set()).add(pid)
    hard = []
    for query_id, query, intent, split in queries:
        if split != "train":
            continue
        q_words = {_stem(w) for w in _words(query) if len(w) >= 3 and w not in STOPWORDS}
        prefixes = [w for w in _words(query) if len(w) >= 3 and w not in STOPWORDS]
        for p in products:
            if p["product_id"] in relevant[intent] | converted[query_id]:
                continue
            t_words = _words(clean_title(p["name"]))
            shared = q_words & {_stem(w) for w in t_words}
            prefix = any(t.startswith(w) and t != w for w in prefixes for t in t_words)
            if shared or prefix:
                hard.append((query_id, p["product_id"]))

    counts = {}
    for query_id, query, intent, split in queries:
        total = sum(c for qid, _, c in conversions if qid == query_id)
        counts[query] = max(counts.get(query, 0), 3 * total)
    for query, searches in EXTRA_AUTOCOMPLETE.items():
        counts[query] = searches
    autocomplete = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    assert train_ids
    return {
        "queries.csv": [("query_id", "query", "intent", "split")] + queries,
        "conversions.csv": [("query_id", "product_id", "conversions")] + conversions,
        "synthetic_queries.csv": [("product_id", "query")] + synthetic_queries(products),
        "hard_negatives.csv": [("query_id", "product_id")] + hard,
        "autocomplete_log.csv": [("query", "searches")] + autocomplete,
    }


def write(out_dir: Path = OUT_DIR, catalogue: Path = CATALOGUE) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in build(read_catalogue(catalogue)).items():
        with open(out_dir / name, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    write(parser.parse_args().out)
