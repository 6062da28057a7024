#!/usr/bin/env python3
"""Write the grocery search log of lecture 07 (two-tower retrieval): data/grocery_search/*.csv.

Everything is invented by the course authors. The set is simulated the way a real search log arises, so that its
flaws come from the simulation, not from hand-placed noise:

1. A catalogue of about 2,000 product titles (as many as MiniLM encodes within lecture 07's budget): each product
   type below is sold by a few invented brands, with attributes (organic, no pulp, unsalted, flavours...) and
   sizes, written in several title styles.
2. Customers' needs ("intents"): a product type ("orange juice"), a family of substitutes ("oranges", "chips"), or
   a type with an attribute or a brand ("orange juice no pulp", "sunny grove orange juice"). Intent popularity and
   wording popularity are Zipf-distributed; customers use the type's name or a synonym ("oj", "cuties"), and 4 % of
   searches carry a typo, so the log has a long tail of rare queries.
3. Each search is answered by a production ranker (word overlap with the title, a synonym table that knows only
   some synonyms, a popularity prior; top 10, with an occasional product from ranks 11-30 explored into the page).
   The customer examines position i with probability 1 / i (position bias) and buys an examined product with a
   probability set by its true relevance and its popularity. Sometimes a staple or a complement is bought in the
   same session without being clicked from the results (position 0: attributed to the search, a noisy positive).
   Relevant products the ranker never shows are never bought: false negatives and popularity bias arise by
   themselves.
4. Graded relevance labels, ESCI-style (Amazon's Shopping Queries data set: Exact, Substitute, Complement,
   Irrelevant), come from the intent, never from the log: Exact = the type (or family) asked for, with the asked
   attribute and brand; Substitute = the same type or family without them, or another type of the same family;
   Complement = a type used together with it (salsa for tortilla chips); everything else Irrelevant.
5. The split: a fifth of the product types and families asked for (never a staple) are held out whole (test
   queries of unseen intents); of the others, a quarter of the query strings other than each intent's most
   searched one go to test (held-out wordings of seen intents).

Files:
* products.csv     product_id, title, brand, aisle
* queries.csv      query_id, query, searches, intent, kind, split   (kind: name / synonym / typo; intent: the need,
                   "type or family[|attribute or brand]"; split: train / test)
* impressions.csv  query_id, position, product_id, impressions, conversions   (summed over the log; position 0:
                   bought in the same session without a click on the results)
* labels.csv       intent, label, product_ids   (E / S / C for every intent in queries.csv, ids separated by spaces;
                   a product not listed for an intent is Irrelevant to it)
* synthetic_queries.csv  product_id, query   (written from titles: brand and size dropped; data augmentation)

Re-running reproduces the committed files byte for byte (tests/test_data_generators.py checks it).

One more file is derived from these, offline, with the shipped MiniLM (all-MiniLM-L6-v2):
* minilm_vectors.npz  `texts` (every product title, logged query and synthetic query, shortest first) and
                   `vectors` (float16, one unit-length 384-vector per text: MiniLM's last layer, mean-pooled over the
                   real tokens, at most 32 word pieces), so that lecture 07 need not encode 4,000 texts on a student's
                   CPU. Written by `--vectors` (30-50 s of CPU on one core); floats are not byte-identical across CPUs, so
                   tests/test_07_two_tower_retrieval.py checks it against a fresh encoding (allclose), not byte for byte.

    .venv/bin/python data/generators/grocery_search.py            # rewrite data/grocery_search/*.csv
    .venv/bin/python data/generators/grocery_search.py --out DIR  # write somewhere else
    .venv/bin/python data/generators/grocery_search.py --vectors  # (re)compute minilm_vectors.npz from the CSVs
"""
from __future__ import annotations

import argparse
import csv
import math
import random
import re
from pathlib import Path

SEED = 707
OUT_DIR = Path(__file__).resolve().parents[1] / "grocery_search"
N_SEARCHES = 6_000
TYPO_RATE = 0.04
ZIPF, ZIPF_OFFSET = 1.0, 5     # popularity of the need ranked r: 1 / (r + 5); staples first (HEAD), the rest at random
HEAD = ["milk", "bananas", "eggs", "bread", "hass avocados", "strawberries", "chicken", "oranges", "cheese", "yogurt",
        "coffee", "chips", "apples", "tortillas", "mac and cheese", "pasta", "salted butter", "orange juice", "rice",
        "ground beef"]
SPECIFIC_SHARE = 0.4           # searches for a type with an attribute or brand, relative to the plain type
PAGE = 10                      # results shown per search
EXPLORE_RATE = 0.3             # a search shows one product from ranks 11-30 in place of one of ranks 4-10
SESSION_RATE = 0.12            # a converting search also buys a staple or complement it did not click (position 0)
BUY = {"E": 0.45, "S": 0.10, "C": 0.04, "I": 0.004}  # purchase probability of an examined product, by true label
HELD_OUT_TARGETS = 0.2         # of the types and families that intents ask for
HELD_OUT_WORDINGS = 0.25       # of the other query strings (never an intent's most searched one)
RANKER_SYNONYMS = 0.5          # share of synonyms the production ranker's synonym table knows

# aisle -> invented brands ("" = sold unbranded, e.g. loose fruit)
BRANDS = {
    "produce": ["", "", "Sunny Grove", "Green Valley"],
    "dairy": ["Meadow Farms", "Alpine", "Clover Hill", "Store Brand"],
    "bakery": ["Hearth Oven", "Golden Crust", "Casa Sol", "Store Brand"],
    "pantry": ["Golden Spoon", "Nonna's", "Pantry Pride", "Cheddar Bay", "Store Brand"],
    "snacks": ["El Sol", "Crunch Co", "Harvest Table", "Store Brand"],
    "beverages": ["Sunny Grove", "Fizz", "Morning Ridge", "Blue Spring", "Store Brand"],
    "frozen": ["Frost Valley", "Nonna's", "Store Brand"],
    "meat & seafood": ["Prairie Ranch", "Store Brand", "Hilltop Meats"],
    "fish": ["Ocean Catch", "Store Brand", "Blue Harbor"],
    "tortillas": ["Casa Sol", "Golden Crust", "Store Brand"],
    "mac and cheese": ["Cheddar Bay", "Golden Spoon", "Store Brand"],
    "household": ["Brightwave", "Softleaf", "Store Brand"],
    "personal care": ["Pure Bloom", "Fresh Day", "Store Brand"],
    "baby": ["Little Sprout", "Store Brand"],
    "pets": ["Happy Paws", "Whisker & Bone", "Store Brand"],
    "international": ["Casa Sol", "Lotus Garden", "Spice Route"],
}

# family (substitutes of one another): aisle, sizes, the words customers use for the whole family, complements.
FAMILIES: dict[str, tuple[str, str, str, str]] = {
    # family: (aisle, sizes, family wordings, complementary families) -- lists separated by ";"
    "oranges": ("produce", "each;3 lb bag;4 lb bag", "oranges;orange;fresh oranges", "citrus juice"),
    "lemons and limes": ("produce", "each;2 lb bag", "citrus", "soda;fish"),
    "apples": ("produce", "each;3 lb bag", "apples;apple;fresh apples", "peanut butter;juice"),
    "berries": ("produce", "6 oz;1 lb;2 lb", "berries;fresh berries", "yogurt;cereal"),
    "bananas and plantains": ("produce", "bunch;each", "", "cereal;peanut butter"),
    "grapes": ("produce", "per lb;2 lb bag", "grapes", "cheese"),
    "avocados": ("produce", "each;4 count bag", "", "chips;salsa"),
    "onions": ("produce", "each;3 lb bag;bunch", "onions;onion", "potatoes"),
    "potatoes": ("produce", "5 lb bag;per lb", "potatoes;potato", "onions;sour cream"),
    "tomatoes": ("produce", "per lb;1 pint", "tomatoes;tomato", "salad greens;pasta sauce"),
    "peppers": ("produce", "each;per lb", "peppers;hot peppers", "salsa"),
    "salad greens": ("produce", "5 oz;10 oz;3 count", "salad;lettuce;greens", "salad dressing"),
    "herbs": ("produce", "bunch;0.75 oz", "fresh herbs;herbs", "salsa"),
    "milk": ("dairy", "half gal;1 gal", "milk;gallon of milk", "cereal;cookies"),
    "plant milk": ("dairy", "64 oz;32 oz", "dairy free milk;non dairy milk", "cereal"),
    "yogurt": ("dairy", "5.3 oz;32 oz;6 pack", "yogurt;yoghurt", "berries;granola and bars"),
    "shredded cheese": ("dairy", "8 oz;16 oz", "shredded cheese;grated cheese", "tortillas;pasta"),
    "cheese": ("dairy", "8 oz;16 oz", "cheese;block cheese", "crackers"),
    "butter": ("dairy", "1 lb;4 sticks", "", "bread;baking"),
    "eggs": ("dairy", "12 count;18 count;dozen", "eggs;egg;dozen eggs", "bacon;bread"),
    "cream": ("dairy", "16 oz;32 oz", "cream", "coffee"),
    "sour cream": ("dairy", "8 oz;16 oz", "", "potatoes;tortillas"),
    "bread": ("bakery", "20 oz;24 oz;loaf", "bread;loaf of bread", "peanut butter;jam;butter"),
    "tortillas": ("bakery", "8 count;10 count;30 count", "tortillas;tortilla;wraps", "salsa;shredded cheese;beans"),
    "bagels": ("bakery", "6 count;4 count", "bagels;breakfast bread", "cream cheese"),
    "buns": ("bakery", "8 count;12 count", "buns;rolls", "hot dogs;beef"),
    "pasta": ("pantry", "16 oz;1 lb;2 lb", "pasta;noodles;dry pasta", "pasta sauce;shredded cheese"),
    "pasta sauce": ("pantry", "24 oz;15 oz;6 oz", "pasta sauce;spaghetti sauce", "pasta"),
    "mac and cheese": ("pantry", "7.25 oz;14.5 oz;4 pack",
                       "mac and cheese;macaroni and cheese;mac n cheese;mac & cheese", "hot dogs"),
    "instant noodles": ("pantry", "12 pack;6 pack;3 oz", "instant noodles;ramen", "hot sauces"),
    "rice": ("pantry", "2 lb;5 lb;10 lb", "rice", "beans;soy sauce"),
    "flour": ("pantry", "5 lb;2 lb", "flour;baking flour", "baking"),
    "baking": ("pantry", "2 lb;4 lb;1 lb", "sugar;baking supplies", "flour;butter"),
    "beans": ("pantry", "15 oz can;16 oz can", "beans;canned beans", "rice;tortillas"),
    "canned tomatoes": ("pantry", "14.5 oz;28 oz;6 oz", "canned tomatoes", "pasta"),
    "soup": ("pantry", "10.75 oz;18.6 oz;32 oz", "soup;canned soup", "crackers"),
    "peanut butter": ("pantry", "16 oz;40 oz;12 oz", "nut butter", "bread;jam;bananas and plantains"),
    "jam": ("pantry", "18 oz;12 oz;30 oz", "jam;jelly;preserves", "peanut butter;bread"),
    "condiments": ("pantry", "14 oz;20 oz;30 oz", "condiments", "hot dogs;buns"),
    "hot sauces": ("pantry", "5 oz;17 oz", "hot sauce", "tortillas;chicken"),
    "salad dressing": ("pantry", "16 oz;12 oz", "salad dressing;dressing", "salad greens"),
    "soy sauce": ("international", "15 oz;10 oz", "", "rice;instant noodles"),
    "cooking oil": ("pantry", "16.9 oz;48 oz;32 oz", "cooking oil;oil", "pasta"),
    "cereal": ("pantry", "12 oz;18 oz;family size", "cereal;breakfast cereal", "milk;bananas and plantains"),
    "oatmeal": ("pantry", "18 oz;42 oz;10 pack", "oatmeal;oats", "berries;milk"),
    "pancake mix": ("pantry", "32 oz;24 oz", "pancake mix;pancakes", "syrup;eggs"),
    "syrup": ("pantry", "12 oz;24 oz", "syrup", "pancake mix"),
    "granola and bars": ("pantry", "12 oz;8 count", "", "yogurt;milk"),
    "chips": ("snacks", "8 oz;13 oz;family size", "chips;snacks", "salsa;soda"),
    "salsa": ("snacks", "16 oz;12 oz;24 oz", "dip;chip dip", "chips;tortillas"),
    "nuts": ("snacks", "8 oz;16 oz;26 oz", "nuts;mixed nuts", "chocolate"),
    "crackers": ("snacks", "6.6 oz;13.7 oz;16 oz", "crackers", "cheese;soup"),
    "cookies": ("snacks", "13 oz;14 oz;family size", "cookies", "milk"),
    "chocolate": ("snacks", "1.55 oz;3.5 oz;share size", "chocolate;candy;candy bar", "nuts"),
    "juice": ("beverages", "52 fl oz;64 oz;1 gal", "juice", "cereal"),
    "citrus juice": ("beverages", "52 fl oz;64 oz;89 oz", "", "oranges"),
    "soda": ("beverages", "12 pack;2 liter;6 pack", "soda;pop;soft drinks", "chips;pizza"),
    "water": ("beverages", "24 pack;1 gal;8 pack", "water;bottled water;case of water", ""),
    "coffee": ("beverages", "12 oz;24 ct;32 oz", "coffee", "cream"),
    "tea": ("beverages", "20 count;100 count;64 oz", "tea", "cookies"),
    "pizza": ("frozen", "12 inch;2 pack", "pizza;frozen pizza", "soda"),
    "ice cream": ("frozen", "1.5 qt;48 oz;12 pack", "ice cream;icecream", "cookies"),
    "frozen vegetables": ("frozen", "12 oz;16 oz", "frozen vegetables;frozen veggies", "chicken"),
    "frozen fruit": ("frozen", "16 oz;32 oz", "frozen fruit", "yogurt"),
    "frozen meals": ("frozen", "10 oz;38 oz;32 oz", "frozen meals;frozen dinner", ""),
    "chicken": ("meat & seafood", "per lb;1 lb;family pack", "chicken;poultry", "rice;frozen vegetables"),
    "beef": ("meat & seafood", "1 lb;per lb;2 lb", "beef", "buns;tortillas"),
    "pork": ("meat & seafood", "16 oz;12 oz;per lb", "pork", "eggs;buns"),
    "hot dogs": ("meat & seafood", "8 count;10 count", "", "buns;condiments"),
    "fish": ("meat & seafood", "per lb;1 lb;16 oz", "fish;seafood", "lemons and limes;rice"),
    "paper goods": ("household", "6 rolls;12 rolls;3 boxes", "paper goods", ""),
    "laundry": ("household", "92 oz;42 count;64 oz", "laundry", ""),
    "cleaning": ("household", "24 oz;32 oz;75 count", "cleaning supplies;cleaner", ""),
    "kitchen wrap": ("household", "75 sq ft;200 sq ft;100 count", "", ""),
    "trash bags": ("household", "40 count;80 count", "", ""),
    "toothpaste": ("personal care", "4 oz;5.5 oz;2 pack", "", "toothbrushes"),
    "toothbrushes": ("personal care", "2 pack;4 pack", "", "toothpaste"),
    "shampoo": ("personal care", "12 oz;25 oz", "", "conditioner"),
    "conditioner": ("personal care", "12 oz;25 oz", "", "shampoo"),
    "soap": ("personal care", "18 oz;8 pack;56 oz", "soap", ""),
    "diapers": ("baby", "84 count;74 count;120 count", "nappies", "baby wipes"),
    "baby wipes": ("baby", "3 pack;6 pack", "", "diapers"),
    "dog food": ("pets", "30 lb;13 oz;24 oz", "dog food", ""),
    "cat food": ("pets", "16 lb;12 pack;6 oz", "cat food", "cat litter"),
    "cat litter": ("pets", "40 lb;20 lb", "", "cat food"),
}

# family | product type (as titles write it) | attributes | synonyms customers type for the type
TYPES = """
oranges | Navel Oranges | Organic;Seedless | navel orange
oranges | Clementines | Organic;Seedless | cuties;easy peel oranges;clementine
oranges | Mandarins | Organic | mandarin oranges;mandarin
oranges | Blood Oranges | Organic | blood orange
oranges | Cara Cara Oranges | Organic | pink oranges
lemons and limes | Lemons | Organic;Meyer | lemon
lemons and limes | Limes | Organic;Key | lime
apples | Gala Apples | Organic | gala
apples | Honeycrisp Apples | Organic | honeycrisp
apples | Macintosh Apples | Organic | macintosh;mcintosh apples
apples | Granny Smith Apples | Organic | green apples;sour apples
apples | Fuji Apples | Organic | fuji
berries | Strawberries | Organic | strawberry
berries | Blueberries | Organic;Wild | blueberry
berries | Raspberries | Organic | raspberry
berries | Blackberries | Organic | blackberry
bananas and plantains | Bananas | Organic | banana
bananas and plantains | Plantains | Green;Ripe | plantain;platanos
grapes | Red Seedless Grapes | Organic | red grapes
grapes | Green Seedless Grapes | Organic | green grapes
avocados | Hass Avocados | Organic;Ripe | avocado;avocados;avos
onions | Yellow Onions | Organic;Sweet | yellow onion
onions | Red Onions | Organic | red onion
onions | Green Onions | Organic | scallions
potatoes | Russet Potatoes | Organic | baking potatoes;russets
potatoes | Sweet Potatoes | Organic | yams;sweet potato
potatoes | Yukon Gold Potatoes | Organic;Baby | gold potatoes
tomatoes | Roma Tomatoes | Organic | plum tomatoes
tomatoes | Cherry Tomatoes | Organic;Grape | cherry tomato
peppers | Jalapeno Peppers | Organic | jalapenos;jalapeno
peppers | Bell Peppers | Red;Green;Yellow | capsicum;bell pepper
peppers | Poblano Peppers | Organic | poblanos
salad greens | Romaine Hearts | Organic | romaine;romaine lettuce
salad greens | Spring Mix | Organic | mixed greens;mesclun
salad greens | Baby Spinach | Organic | spinach
salad greens | Chopped Kale | Organic | kale
herbs | Cilantro | Organic | coriander leaves;fresh cilantro
herbs | Basil | Organic;Fresh | fresh basil
herbs | Italian Parsley | Organic;Flat Leaf | parsley
milk | Whole Milk | Organic;Lactose Free | vitamin d milk
milk | Reduced Fat Milk | 2%;Organic;Lactose Free | 2% milk;two percent milk
milk | Skim Milk | Organic;Fat Free | nonfat milk;fat free milk
milk | Chocolate Milk | Low Fat;Whole | choc milk
plant milk | Oat Milk | Original;Unsweetened;Barista | oatmilk
plant milk | Almond Milk | Unsweetened;Vanilla;Original | almondmilk
plant milk | Soy Milk | Unsweetened;Vanilla | soymilk
yogurt | Greek Yogurt | Plain;Vanilla;Strawberry;Nonfat | greek yoghurt
yogurt | Yogurt Cups | Strawberry;Blueberry;Peach | yogurt cup
yogurt | Whole Milk Yogurt | Plain;Vanilla | plain yogurt
shredded cheese | Shredded Cheddar Cheese | Mild;Sharp;Finely | shredded cheddar
shredded cheese | Shredded Mozzarella Cheese | Low Moisture;Part Skim | shredded mozzarella;pizza cheese
shredded cheese | Shredded Mexican Blend Cheese | Four Cheese;Finely | mexican cheese;taco cheese
cheese | Cheddar Cheese Block | Sharp;Mild;Extra Sharp | cheddar;cheddar cheese
cheese | Pepper Jack Cheese | Sliced;Block | pepperjack
cheese | Fresh Mozzarella | Ball;Pearls | mozzarella;fresh mozz
cheese | Grated Parmesan Cheese | Shredded;Grated | parmesan;parm
cheese | Cream Cheese | Original;Whipped;Reduced Fat | cream cheese spread
butter | Salted Butter | Sweet Cream;Organic | butter;salted butter sticks
butter | Unsalted Butter | Sweet Cream;Organic;European Style | unsalted butter sticks
eggs | Large White Eggs | Grade A;Cage Free | white eggs
eggs | Large Brown Eggs | Cage Free;Organic;Free Range | brown eggs
eggs | Liquid Egg Whites | 100%;Organic | egg whites
cream | Heavy Whipping Cream | Organic | heavy cream;whipping cream
cream | Half and Half | Organic;Fat Free | half & half;half n half
cream | Coffee Creamer | French Vanilla;Hazelnut;Original | creamer
sour cream | Sour Cream | Light;Organic | sourcream
bread | White Sandwich Bread | Classic;Enriched | white bread
bread | Whole Wheat Bread | 100%;Honey | wheat bread;brown bread
bread | Sourdough Bread | San Francisco Style;Sliced | sourdough
bread | Multigrain Bread | 12 Grain;Seeded | grain bread
tortillas | Flour Tortillas | Burrito Size;Soft Taco;Fajita Size | flour wraps;burrito wraps
tortillas | Corn Tortillas | White;Yellow;Street Taco | tortillas de maiz;corn tortilla
tortillas | Whole Wheat Tortillas | Low Carb;High Fiber | wheat wraps
tortillas | Taco Shells | Crunchy;Stand and Stuff | hard taco shells;taco shell
bagels | Plain Bagels | New York Style;Mini | plain bagel
bagels | Everything Bagels | New York Style;Mini | everything bagel
bagels | English Muffins | Original;Whole Wheat | english muffin
buns | Hamburger Buns | Sesame;Potato;Brioche | burger buns
buns | Hot Dog Buns | Potato;Classic | hotdog buns
pasta | Spaghetti | Whole Wheat;Thin;Gluten Free | spaghetti noodles
pasta | Penne Rigate | Whole Wheat;Gluten Free | penne
pasta | Elbow Macaroni | Whole Wheat;Gluten Free | macaroni;elbow pasta;elbows
pasta | Rotini | Tricolor;Whole Wheat | spiral pasta
pasta | Lasagna Noodles | Oven Ready;Whole Wheat | lasagna sheets
pasta sauce | Marinara Sauce | Organic;Chunky;Roasted Garlic | marinara;red sauce
pasta sauce | Alfredo Sauce | Roasted Garlic;Light | alfredo;white sauce
pasta sauce | Tomato Basil Pasta Sauce | Organic;Chunky | tomato sauce for pasta
pasta sauce | Basil Pesto | Classic;Vegan | pesto
mac and cheese | Macaroni and Cheese Dinner | Original;White Cheddar;Family Size | boxed mac and cheese;kraft dinner
mac and cheese | Mac and Cheese Cups | Original;Microwavable | mac and cheese cups;microwave mac and cheese
mac and cheese | Shells and White Cheddar | Original;Deluxe | shells and cheese
instant noodles | Ramen Noodle Soup | Chicken;Beef;Shrimp | ramen noodles;instant ramen
instant noodles | Cup Noodles | Chicken;Spicy | cup of noodles
rice | Long Grain White Rice | Enriched;Parboiled | white rice
rice | Jasmine Rice | Thai;Organic | jasmine
rice | Basmati Rice | Aged;Organic | basmati
rice | Brown Rice | Long Grain;Organic | whole grain rice
flour | All Purpose Flour | Unbleached;Organic | ap flour;plain flour
flour | Bread Flour | Unbleached;High Protein | strong flour
flour | Whole Wheat Flour | Stone Ground;Organic | wholemeal flour
baking | Granulated Sugar | Pure Cane;Organic | white sugar;sugar
baking | Light Brown Sugar | Pure Cane;Organic | brown sugar
baking | Powdered Sugar | Pure Cane | icing sugar;confectioners sugar
baking | Baking Soda | Pure | bicarbonate of soda;bicarb
baking | Chocolate Chips | Semi Sweet;Milk Chocolate;Dark | choc chips
beans | Black Beans | Low Sodium;Organic | black bean
beans | Pinto Beans | Low Sodium;Organic | pintos
beans | Refried Beans | Traditional;Vegetarian;Fat Free | refried
beans | Chickpeas | Organic;Low Sodium | garbanzo beans;garbanzos
beans | Kidney Beans | Dark Red;Light Red | red kidney beans
canned tomatoes | Diced Tomatoes | No Salt Added;Fire Roasted | chopped tomatoes
canned tomatoes | Tomato Paste | Organic;Double Concentrated | tomato puree
canned tomatoes | Crushed Tomatoes | Organic;With Basil | crushed
soup | Chicken Noodle Soup | Condensed;Hearty;Low Sodium | chicken soup
soup | Tomato Soup | Condensed;Creamy | tomato bisque
soup | Minestrone Soup | Hearty;Organic | minestrone
soup | Chicken Broth | Low Sodium;Organic;Bone | chicken stock;broth
peanut butter | Creamy Peanut Butter | Natural;Reduced Fat | smooth peanut butter;peanut butter;pb
peanut butter | Crunchy Peanut Butter | Natural;Extra Crunchy | chunky peanut butter
peanut butter | Almond Butter | Creamy;Crunchy | almond spread
peanut butter | Hazelnut Cocoa Spread | Original | chocolate spread;nutella
jam | Strawberry Preserves | Organic;Low Sugar | strawberry jam
jam | Grape Jelly | Concord;Low Sugar | grape jam
jam | Orange Marmalade | Seville;Bitter | marmalade
condiments | Tomato Ketchup | Organic;No Sugar Added | ketchup;catsup
condiments | Yellow Mustard | Classic;Spicy Brown | mustard
condiments | Real Mayonnaise | Light;Olive Oil | mayo;mayonnaise
condiments | BBQ Sauce | Original;Honey;Smoky | barbecue sauce;bbq
hot sauces | Hot Sauce | Original;Habanero;Garlic | hot pepper sauce
hot sauces | Sriracha Chili Sauce | Original | sriracha;rooster sauce
salad dressing | Ranch Dressing | Classic;Light | ranch
salad dressing | Balsamic Vinaigrette | Classic;Light | balsamic dressing
salad dressing | Caesar Dressing | Classic;Creamy | caesar
soy sauce | Soy Sauce | Low Sodium;Naturally Brewed | shoyu;soya sauce
cooking oil | Extra Virgin Olive Oil | Cold Pressed;Organic | olive oil;evoo
cooking oil | Canola Oil | Pure;Organic | rapeseed oil
cooking oil | Vegetable Oil | Pure;Blended | veg oil
cooking oil | Avocado Oil | Refined;Pure | avocado cooking oil
cereal | Frosted Corn Flakes | Original;Family Size | corn flakes;frosted flakes
cereal | Toasted Oat Cereal | Honey Nut;Original;Multigrain | cheerios;oat rings
cereal | Raisin Bran | Original;Crunch | bran flakes
cereal | Cocoa Puffs Cereal | Chocolate;Family Size | chocolate cereal
oatmeal | Old Fashioned Rolled Oats | Organic;Gluten Free | rolled oats;old fashioned oats
oatmeal | Quick Oats | Organic;1 Minute | quick oatmeal
oatmeal | Instant Oatmeal | Maple Brown Sugar;Variety Pack;Apple Cinnamon | oatmeal packets
pancake mix | Buttermilk Pancake Mix | Complete;Original | pancake mix;flapjack mix
pancake mix | Waffle Mix | Belgian;Blueberry | waffles mix
syrup | Pure Maple Syrup | Grade A;Dark Amber;Organic | maple syrup
syrup | Pancake Syrup | Original;Butter;Lite | table syrup
granola and bars | Granola | Honey Almond;Cinnamon;Low Sugar | granola cereal
granola and bars | Chewy Granola Bars | Chocolate Chip;Peanut Butter;Oats and Honey | granola bars;snack bars
chips | Potato Chips | Classic;Sea Salt;Sour Cream and Onion;Barbecue | crisps;potato crisps
chips | Kettle Cooked Chips | Sea Salt;Jalapeno;Salt and Vinegar | kettle chips
chips | Tortilla Chips | Restaurant Style;Lime;Blue Corn;Scoops | nacho chips;chips for salsa
chips | Pita Chips | Sea Salt;Cinnamon Sugar | pita crisps
salsa | Chunky Salsa | Medium;Mild;Hot | salsa
salsa | Salsa Verde | Medium;Mild | green salsa;tomatillo salsa
salsa | Queso Dip | Mild;Spicy | queso;cheese dip
salsa | Guacamole | Classic;Spicy | guac
salsa | Hummus | Classic;Roasted Red Pepper;Garlic | humus;houmous
nuts | Whole Almonds | Roasted;Raw;Salted | almonds
nuts | Roasted Cashews | Salted;Unsalted;Honey | cashews;cashew nuts
nuts | Macadamia Nuts | Dry Roasted;Salted;Raw | macadamias;macadamia
nuts | Dry Roasted Peanuts | Salted;Honey Roasted;Unsalted | peanuts
nuts | Shelled Pistachios | Roasted;Salted | pistachios
nuts | Trail Mix | Classic;Sweet and Salty | trailmix;gorp
crackers | Saltine Crackers | Original;Unsalted Tops | saltines;soda crackers
crackers | Cheddar Crackers | Baked;Extra Cheesy | cheese crackers;goldfish
crackers | Graham Crackers | Honey;Cinnamon | grahams
crackers | Butter Crackers | Original;Whole Wheat | ritz crackers
cookies | Chocolate Chip Cookies | Chewy;Crunchy | choc chip cookies
cookies | Chocolate Sandwich Cookies | Original;Double Stuffed | oreos;oreo cookies
cookies | Oatmeal Raisin Cookies | Soft Baked;Chewy | oatmeal cookies
chocolate | Milk Chocolate Bar | Classic;Almond | chocolate bar;hershey bar
chocolate | Dark Chocolate Bar | 70%;Sea Salt | dark chocolate
chocolate | Peanut Butter Cups | Milk Chocolate;Dark Chocolate;Minis | reeses;pb cups
chocolate | Gummy Bears | Original;Sour | gummies;gummy candy
juice | Apple Juice | 100%;Organic | apple cider drink
juice | Cranberry Juice Cocktail | Original;Light | cranberry juice
juice | Grape Juice | Concord;100% | grape drink
juice | Lemonade | Classic;Pink | lemon drink
juice | Juice Boxes | Apple;Fruit Punch | kids juice;juice pouches
citrus juice | Orange Juice | No Pulp;With Pulp;Calcium Fortified | oj;orange drink
citrus juice | Grapefruit Juice | Ruby Red;100% | grapefruit drink
soda | Cola | Classic;Diet;Zero Sugar | coke;cola soda
soda | Lemon Lime Soda | Classic;Diet | sprite;7up
soda | Ginger Ale | Classic;Diet | ginger soda
soda | Root Beer | Classic;Diet | rootbeer
soda | Orange Soda | Classic;Diet | fanta;orange pop
water | Spring Water | Natural;Purified | bottled spring water
water | Sparkling Water | Lime;Lemon;Unflavored | seltzer;fizzy water;la croix
water | Distilled Water | Steam;Pure | purified water
coffee | Ground Coffee | Medium Roast;Dark Roast;Decaf | coffee grounds
coffee | Whole Bean Coffee | Medium Roast;Dark Roast;Espresso | coffee beans
coffee | Coffee Pods | Breakfast Blend;Dark Roast;Decaf | k cups;kcups;keurig pods
coffee | Instant Coffee | Classic;Decaf | nescafe
coffee | Cold Brew Coffee | Black;Vanilla | cold brew
tea | Black Tea Bags | English Breakfast;Earl Grey | black tea;english breakfast
tea | Green Tea Bags | Jasmine;Matcha | green tea
tea | Herbal Tea | Chamomile;Peppermint | chamomile tea;herb tea
tea | Sweet Iced Tea | Lemon;Peach | iced tea
pizza | Frozen Pepperoni Pizza | Thin Crust;Rising Crust | pepperoni pizza
pizza | Frozen Cheese Pizza | Four Cheese;Thin Crust | cheese pizza
pizza | Frozen Supreme Pizza | Rising Crust;Thin Crust | supreme pizza
pizza | Pizza Rolls | Pepperoni;Combination | pizza bites
ice cream | Vanilla Ice Cream | Vanilla Bean;Light | vanilla icecream
ice cream | Chocolate Ice Cream | Double Chocolate;Light | chocolate icecream
ice cream | Ice Cream Sandwiches | Vanilla;Mini | ice cream sandwich
ice cream | Mint Chocolate Chip Ice Cream | Classic | mint chip ice cream
frozen vegetables | Frozen Broccoli Florets | Steamable;Organic | frozen broccoli
frozen vegetables | Frozen Sweet Peas | Steamable;Organic | frozen peas
frozen vegetables | Frozen Mixed Vegetables | Steamable;Organic | frozen mixed veg
frozen vegetables | Frozen Corn | Sweet;Organic | frozen sweetcorn
frozen fruit | Frozen Strawberries | Whole;Sliced;Organic | frozen strawberry
frozen fruit | Frozen Mixed Berries | Organic;Triple Berry | frozen berries
frozen fruit | Frozen Mango Chunks | Organic | frozen mango
frozen meals | Frozen Burritos | Bean and Cheese;Beef and Bean | burritos
frozen meals | Frozen Lasagna | Meat;Vegetable | lasagna
frozen meals | French Fries | Crinkle Cut;Shoestring;Steak Cut | fries;frozen fries
frozen meals | Frozen Chicken Nuggets | Breaded;Dino | chicken nuggets;nuggets
chicken | Boneless Skinless Chicken Breasts | Organic;Family Pack | chicken breast;chicken breasts
chicken | Chicken Thighs | Boneless;Bone In | chicken thigh
chicken | Chicken Wings | Party;Organic | wings
chicken | Whole Chicken | Organic;Air Chilled | whole roaster
beef | Ground Beef | 80/20;93/7;Organic | hamburger meat;minced beef;mince
beef | Ribeye Steak | Choice;Boneless | ribeye;rib eye
beef | Sirloin Steak | Top;Choice | sirloin
pork | Bacon | Thick Cut;Hickory Smoked;Center Cut | streaky bacon
pork | Pork Chops | Bone In;Boneless | pork chop
pork | Breakfast Sausage | Links;Patties;Maple | sausage links;sausages
hot dogs | Beef Hot Dogs | Jumbo;Uncured | hot dogs;franks;hotdogs
fish | Atlantic Salmon Fillet | Skin On;Farm Raised | salmon;salmon fillet
fish | Raw Shrimp | Jumbo;Peeled and Deveined | shrimp;prawns
fish | Cod Fillets | Wild Caught;Frozen | cod
fish | Tilapia Fillets | Frozen;Farm Raised | tilapia
paper goods | Toilet Paper | Double Rolls;Mega Rolls;Ultra Soft | tp;bath tissue;loo roll
paper goods | Paper Towels | Select a Size;Double Rolls | kitchen roll;paper towel
paper goods | Facial Tissues | Ultra Soft;Lotion | tissues;kleenex
paper goods | Paper Napkins | White;Dinner | napkins;serviettes
laundry | Liquid Laundry Detergent | Free and Clear;Fresh Scent | laundry detergent;detergent;washing liquid
laundry | Laundry Detergent Pods | Free and Clear;Spring Scent | laundry pods;tide pods
laundry | Fabric Softener | Fresh Scent;Unscented | softener
laundry | Dryer Sheets | Fresh Scent;Unscented | dryer sheet
cleaning | Dish Soap | Lemon;Original | dishwashing liquid;washing up liquid
cleaning | Dishwasher Detergent Pods | Lemon;Original | dishwasher pods;dishwasher tabs
cleaning | All Purpose Cleaner Spray | Lemon;Lavender | spray cleaner;multi surface cleaner
cleaning | Disinfecting Wipes | Lemon;Fresh Scent | clorox wipes;cleaning wipes
kitchen wrap | Aluminum Foil | Heavy Duty;Non Stick | tin foil;foil
kitchen wrap | Plastic Wrap | Clear;Press and Seal | cling film;saran wrap
kitchen wrap | Zip Sandwich Bags | Gallon;Quart;Snack | ziploc bags;sandwich bags
trash bags | Tall Kitchen Trash Bags | Drawstring;Odor Control | garbage bags;bin bags;trash bags
trash bags | Large Outdoor Trash Bags | Heavy Duty;Drawstring | lawn bags;contractor bags
toothpaste | Fluoride Toothpaste | Mint;Whitening;Sensitive | tooth paste;toothpaste
toothbrushes | Toothbrushes | Soft;Medium | toothbrush;tooth brush
shampoo | Moisturizing Shampoo | Coconut;Argan Oil;Unscented | shampoo;hair wash
conditioner | Moisturizing Conditioner | Coconut;Argan Oil | conditioner;hair conditioner
soap | Body Wash | Moisturizing;Fresh Scent | shower gel
soap | Bar Soap | Moisturizing;Unscented | soap bars
soap | Hand Soap Refill | Lavender;Fresh Scent | hand soap;liquid soap
diapers | Baby Diapers | Size 1;Size 3;Size 4;Size 5 | diapers;nappy
baby wipes | Baby Wipes | Unscented;Sensitive | wipes;wet wipes
dog food | Dry Dog Food | Chicken and Rice;Lamb and Rice;Puppy | dog kibble;kibble
dog food | Wet Dog Food | Beef Stew;Chicken | canned dog food
dog food | Dog Treats | Biscuits;Dental Chews | dog biscuits;dog chews
cat food | Dry Cat Food | Salmon;Indoor;Kitten | cat kibble
cat food | Wet Cat Food | Pate Variety;Salmon | canned cat food
cat litter | Clumping Cat Litter | Unscented;Multi Cat | kitty litter;litter
"""

TITLE_STYLES = ["{brand} {attr} {type}, {size}", "{brand} {type} {attr}, {size}", "{brand} {attr} {type} {size}",
                "{attr} {type} by {brand}, {size}"]
BRANDS_PER_TYPE = 3
NO_ATTRIBUTE = 0.35            # a product without an attribute in its title


def parse_types(text: str = TYPES) -> list[dict]:
    types = []
    for line in text.strip().splitlines():
        family, name, attributes, synonyms = (part.strip() for part in line.split("|"))
        if family not in FAMILIES:
            raise ValueError(f"type {name!r} names an unknown family {family!r}")
        types.append({"family": family, "name": name, "attributes": attributes.split(";"),
                      "synonyms": [s for s in synonyms.split(";") if s]})
    return types


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9%&']+", text.lower())


def stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def build_catalogue(types: list[dict], rng: random.Random) -> list[dict]:
    products, seen = [], set()
    for kind in types:
        aisle, sizes = FAMILIES[kind["family"]][0], FAMILIES[kind["family"]][1].split(";")
        brands = BRANDS.get(kind["family"], BRANDS[aisle])
        for brand in rng.sample(brands, min(BRANDS_PER_TYPE, len(brands))):
            for _ in range(rng.randint(2, 3)):
                attr = "" if rng.random() < NO_ATTRIBUTE else rng.choice(kind["attributes"])
                size = rng.choice(sizes)
                style = rng.choice(TITLE_STYLES if brand else ["{attr} {type}, {size}", "{attr} {type} {size}"])
                if rng.random() < 0.3:
                    size = size.replace(" oz", "oz").replace(" count", " ct").replace(" pack", " pk")
                title = " ".join(style.format(brand=brand, attr=attr, type=kind["name"], size=size).split())
                title = title.replace(" ,", ",")
                if title.startswith("by ") or ", by" in title or title in seen:
                    continue
                seen.add(title)
                products.append({"product_id": len(products) + 1, "title": title, "brand": brand or "",
                                 "aisle": aisle, "type": kind["name"], "family": kind["family"], "attr": attr})
    return products


def build_intents(types: list[dict], products: list[dict], rng: random.Random) -> list[dict]:
    """Every need a customer may search for, with its wordings (most common first) and its popularity."""
    intents = []
    for family, (_, _, wordings, _) in FAMILIES.items():
        forms = [w for w in wordings.split(";") if w]
        if forms:
            intents.append({"target": family, "family": family, "spec": "", "forms": [(f, "name") for f in forms]})
    for kind in types:
        lower = kind["name"].lower()
        forms = [(lower, "name")] + [(s, "synonym") for s in kind["synonyms"]]
        intents.append({"target": lower, "family": None, "spec": "", "forms": forms})
        mine = [p for p in products if p["type"] == kind["name"]]
        for attr in sorted({p["attr"] for p in mine if p["attr"]}):
            a = attr.lower()
            intents.append({"target": lower, "family": None, "spec": a,
                            "forms": [(f"{a} {f}", how) for f, how in forms[:2]] + [(f"{forms[0][0]} {a}", "name")]})
        for brand in sorted({p["brand"] for p in mine if p["brand"] and p["brand"] != "Store Brand"}):
            b = brand.lower()
            intents.append({"target": lower, "family": None, "spec": b,
                            "forms": [(f"{b} {f}", how) for f, how in forms[:2]]})
    others = sorted({intent["target"] for intent in intents} - set(HEAD))
    rng.shuffle(others)
    unknown = set(HEAD) - {intent["target"] for intent in intents}
    if unknown:
        raise ValueError(f"HEAD names needs that no intent asks for: {sorted(unknown)}")
    rank = {target: r for r, target in enumerate(HEAD + others, start=1)}
    specs = {}
    for intent in intents:
        specs[intent["target"]] = specs.get(intent["target"], 0) + bool(intent["spec"])
    for intent in intents:
        # Zipf over needs; a plain need ("milk") is searched more often than all its specific ones together
        share = SPECIFIC_SHARE / specs[intent["target"]] if intent["spec"] else 1.0
        intent["weight"] = share / (rank[intent["target"]] + ZIPF_OFFSET) ** ZIPF
    return intents


def labels_for(intent: dict, products: list[dict], types: list[dict]) -> dict[int, str]:
    """ESCI label of every product that is not Irrelevant for this need."""
    family_of = {t["name"].lower(): t["family"] for t in types}
    target, spec = intent["target"], intent["spec"]
    family = intent["family"] or family_of[target]
    complements = set(FAMILIES[family][3].split(";")) - {""}
    labels = {}
    for p in products:
        fits_spec = not spec or spec in (p["attr"].lower(), p["brand"].lower())
        asked = p["family"] == family if intent["family"] else p["type"].lower() == target
        if asked and fits_spec:
            labels[p["product_id"]] = "E"
        elif p["family"] == family:
            labels[p["product_id"]] = "S"
        elif p["family"] in complements:
            labels[p["product_id"]] = "C"
    return labels


def typo(query: str, rng: random.Random) -> str:
    """One keyboard slip in a word of four letters or more: a letter dropped, doubled, swapped or replaced."""
    candidates = [i for i, w in enumerate(query.split()) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return query
    tokens = query.split()
    i = rng.choice(candidates)
    original = tokens[i]
    while tokens[i] == original:  # swapping "ee" or replacing a letter by itself is no slip
        w, j = original, rng.randrange(1, len(original) - 1)
        slip = rng.choice(["drop", "double", "swap", "replace"])
        if slip == "drop":
            w = w[:j] + w[j + 1:]
        elif slip == "double":
            w = w[:j] + w[j] + w[j:]
        elif slip == "swap":
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        else:
            w = w[:j] + rng.choice("abcdefghijklmnopqrstuvwxyz") + w[j + 1:]
        tokens[i] = w
    return " ".join(tokens)


class LazyLabels:
    """labels[i]: the ESCI labels of intent i, computed when first needed (most intents are never searched)."""

    def __init__(self, intents, products, types):
        self.intents, self.products, self.types, self.cache = intents, products, types, {}

    def __getitem__(self, i: int) -> dict[int, str]:
        if i not in self.cache:
            self.cache[i] = labels_for(self.intents[i], self.products, self.types)
        return self.cache[i]


class ProductionRanker:
    """The search engine that wrote the log: word overlap with the title (stemmed, idf-weighted), a synonym
    table that knows some of the synonyms customers use, and a popularity prior. It knows nothing of typos."""

    def __init__(self, products, types, popularity, rng):
        self.titles = [{stem(w) for w in words(p["title"])} for p in products]
        counts = {}
        for title in self.titles:
            for w in title:
                counts[w] = counts.get(w, 0) + 1
        self.idf = {w: math.log(len(products) / c) for w, c in counts.items()}
        self.prior = [0.3 * math.log(popularity[p["product_id"]]) for p in products]
        self.ids = [p["product_id"] for p in products]
        self.index = {}
        for i, title in enumerate(self.titles):
            for w in title:
                self.index.setdefault(w, []).append(i)
        self.by_prior = sorted(range(len(products)), key=lambda i: (-self.prior[i], self.ids[i]))
        self.synonyms = {}
        for kind in types:
            for s in kind["synonyms"]:
                if rng.random() < RANKER_SYNONYMS:
                    self.synonyms[s] = kind["name"].lower()
        self.cache = {}

    def rank(self, query: str) -> list[int]:
        if query not in self.cache:
            q = {stem(w) for w in words(self.synonyms.get(query, query))}
            # products sharing no word score their prior only: the most popular of them are enough to fill the list
            candidates = {i for w in q for i in self.index.get(w, ())} | set(self.by_prior[:3 * PAGE])
            scores = {i: sum(self.idf[w] for w in q & self.titles[i]) + self.prior[i] for i in candidates}
            order = sorted(candidates, key=lambda i: (-scores[i], self.ids[i]))
            self.cache[query] = [self.ids[i] for i in order[:3 * PAGE]]
        return self.cache[query]


def simulate(products, types, intents, rng):
    """Searches, impressions and conversions of the log."""
    popularity = {p["product_id"]: min(5.0, rng.lognormvariate(0.0, 0.8)) for p in products}
    mean_popularity = sum(popularity.values()) / len(popularity)
    ranker = ProductionRanker(products, types, popularity, rng)
    staples = sorted(popularity, key=lambda pid: -popularity[pid])[:40]
    labels = LazyLabels(intents, products, types)
    searches: dict[tuple[str, int], int] = {}
    kinds: dict[tuple[str, int], str] = {}
    shown: dict[tuple[str, int, int, int], list[int]] = {}
    weights = [intent["weight"] for intent in intents]
    for _ in range(N_SEARCHES):
        i = rng.choices(range(len(intents)), weights=weights)[0]
        forms = intents[i]["forms"]
        text, kind = forms[rng.choices(range(len(forms)), weights=[1 / (j + 1) ** 1.5 for j in range(len(forms))])[0]]
        slipped = typo(text, rng) if rng.random() < TYPO_RATE else text
        if slipped != text:  # "tp" has no word long enough to slip on
            text, kind = slipped, "typo"
        key = (text, i)
        searches[key] = searches.get(key, 0) + 1
        kinds.setdefault(key, kind)
        ranked = ranker.rank(text)
        page = ranked[:PAGE]
        if rng.random() < EXPLORE_RATE:
            page = list(page)
            page[rng.randrange(3, PAGE)] = rng.choice(ranked[PAGE:])
        bought_any = False
        for position, pid in enumerate(page, start=1):
            label = labels[i].get(pid, "I")
            chance = (1 / position) * BUY[label] * min(3.0, popularity[pid] / mean_popularity)
            bought = rng.random() < min(0.95, chance)
            bought_any |= bought
            cell = shown.setdefault((text, i, position, pid), [0, 0])
            cell[0] += 1
            cell[1] += bought
        if bought_any and rng.random() < SESSION_RATE:
            complements = [pid for pid, label in labels[i].items() if label == "C"]
            pool = complements if complements and rng.random() < 0.5 else staples
            pid = rng.choices(pool, weights=[popularity[p] for p in pool])[0]
            cell = shown.setdefault((text, i, 0, pid), [0, 0])
            cell[1] += 1
    return searches, kinds, shown, labels


def split_queries(searches, intents, rng):
    """train / test per (query, intent): held-out targets go to test whole; then a share of the other wordings."""
    targets = sorted({intent["target"] for intent in intents} - set(HEAD))  # staples are never new needs
    rng.shuffle(targets)
    held_out = set(targets[: round(HELD_OUT_TARGETS * len(targets))])
    top = {}
    for (text, i), n in sorted(searches.items(), key=lambda kv: (-kv[1], kv[0])):
        top.setdefault(i, text)
    split = {}
    for key in sorted(searches):
        text, i = key
        if intents[i]["target"] in held_out:
            split[key] = "test"
        elif top[i] == text:
            split[key] = "train"
        else:
            split[key] = "test" if rng.random() < HELD_OUT_WORDINGS else "train"
    return split


def synthetic_queries(products: list[dict]) -> list[tuple[int, str]]:
    """Queries written from titles: brand and size dropped (attribute + type, and the type alone)."""
    rows = []
    for p in products:
        kind = p["type"].lower()
        candidates = [f"{p['attr'].lower()} {kind}".strip(), kind]
        rows += [(p["product_id"], q) for q in dict.fromkeys(candidates)]
    return rows


def build() -> dict[str, list[tuple]]:
    rng = random.Random(SEED)
    types = parse_types()
    products = build_catalogue(types, rng)
    intents = build_intents(types, products, rng)
    searches, kinds, shown, labels = simulate(products, types, intents, rng)
    split = split_queries(searches, intents, rng)
    # one row per query string; a string typed for two needs (rare: "chips") keeps its most searched need
    by_text: dict[str, tuple[int, int]] = {}
    for (text, i), n in sorted(searches.items(), key=lambda kv: (-kv[1], kv[0])):
        by_text.setdefault(text, (i, n))
    ordered = sorted(by_text, key=lambda t: (-sum(n for (s, _), n in searches.items() if s == t), t))
    query_rows, query_id = [], {}
    for text in ordered:
        i, _ = by_text[text]
        query_id[text] = len(query_id) + 1
        total = sum(n for (s, _), n in searches.items() if s == text)
        intent = intents[i]["target"] + (f"|{intents[i]['spec']}" if intents[i]["spec"] else "")
        query_rows.append((query_id[text], text, total, intent, kinds[(text, i)], split[(text, i)]))
    cells: dict[tuple[int, int, int], list[int]] = {}
    for (text, i, position, pid), (n, bought) in shown.items():
        cell = cells.setdefault((query_id[text], position, pid), [0, 0])
        cell[0] += n
        cell[1] += bought
    impression_rows = [(q, pos, pid, n, b) for (q, pos, pid), (n, b) in sorted(cells.items())]
    used = {}
    for text in ordered:
        i, _ = by_text[text]
        used[i] = True
    label_rows = []
    for i in sorted(used, key=lambda i: (intents[i]["target"], intents[i]["spec"])):
        intent = intents[i]["target"] + (f"|{intents[i]['spec']}" if intents[i]["spec"] else "")
        for label in "ESC":
            ids = [str(pid) for pid, value in sorted(labels[i].items()) if value == label]
            if ids:
                label_rows.append((intent, label, " ".join(ids)))
    return {
        "products.csv": [("product_id", "title", "brand", "aisle")]
                        + [(p["product_id"], p["title"], p["brand"], p["aisle"]) for p in products],
        "queries.csv": [("query_id", "query", "searches", "intent", "kind", "split")] + query_rows,
        "impressions.csv": [("query_id", "position", "product_id", "impressions", "conversions")] + impression_rows,
        "labels.csv": [("intent", "label", "product_ids")] + label_rows,
        "synthetic_queries.csv": [("product_id", "query")] + synthetic_queries(products),
    }


def write(out_dir: Path = OUT_DIR) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in build().items():
        with open(out_dir / name, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)


VECTORS_FILE = "minilm_vectors.npz"
DERIVED_FILES = (VECTORS_FILE,)   # not written by write(): see --vectors
VECTOR_MAX_LENGTH, VECTOR_BATCH_SIZE = 32, 128


def vector_texts(out_dir: Path = OUT_DIR) -> list[str]:
    """Every text lecture 07 embeds: product titles, logged queries (train and test), synthetic queries; shortest
    first (then alphabetical), so that a batch holds texts of similar length (less padding)."""
    texts = set()
    for name, column in (("products.csv", "title"), ("queries.csv", "query"), ("synthetic_queries.csv", "query")):
        with open(out_dir / name, newline="", encoding="utf-8") as f:
            texts.update(row[column] for row in csv.DictReader(f))
    return sorted(texts, key=lambda t: (len(t), t))


def encode_texts(texts: list[str], batch_size: int = VECTOR_BATCH_SIZE):
    """MiniLM sentence vectors as lecture 07 computes them (mean pooling over real tokens, unit length), float32."""
    import torch
    import torch.nn.functional as F

    from llmcourse.models import DEFAULT_MODEL, load_encoder

    tokenizer, encoder = load_encoder(DEFAULT_MODEL)
    chunks = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(texts[start:start + batch_size], padding=True, truncation=True,
                              max_length=VECTOR_MAX_LENGTH, return_tensors="pt")
            hidden = encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            chunks.append(F.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1))
    return torch.cat(chunks).numpy()


def write_vectors(out_dir: Path = OUT_DIR) -> None:
    import numpy as np

    texts = vector_texts(out_dir)
    np.savez(out_dir / VECTORS_FILE, texts=np.array(texts), vectors=encode_texts(texts).astype(np.float16))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--vectors", action="store_true", help=f"compute {VECTORS_FILE} from the CSVs in --out")
    arguments = parser.parse_args()
    if arguments.vectors:
        write_vectors(arguments.out)
    else:
        write(arguments.out)
