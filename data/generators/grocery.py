#!/usr/bin/env python3
"""Write the course's grocery catalogue and shopping baskets: data/grocery/products.csv and baskets.csv.

Everything here is invented by the course authors (brands included); the catalogue is the hand-written lists below,
the baskets are sampled with a fixed seed from shopper "themes" (baking, breakfast, taco night, ...), so that
products bought together follow the catalogue's aisles and departments. Re-running this script reproduces the
committed files byte for byte (tests/test_01_word2vec_cosine.py checks it).

    .venv/bin/python data/generators/grocery.py            # rewrite data/grocery/
    .venv/bin/python data/generators/grocery.py --out DIR  # write somewhere else (the test uses a temp folder)

Used by lecture 01 (Product2Vec); lecture 07 has its own catalogue and search log (data/grocery_search/).
"""
from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

SEED = 596
N_BASKETS = 4000
OUT_DIR = Path(__file__).resolve().parents[1] / "grocery"

# department -> aisle -> product names. Brands are invented. Some products appear twice with different wording or
# size (e.g. "Sunny Grove Orange Juice, No Pulp, 52 fl oz" / "Sunny Grove 100% Orange Juice No Pulp 52 oz"): these
# near-duplicates are on purpose, for semantic de-duplication in lecture 07.
CATALOGUE: dict[str, dict[str, list[str]]] = {
    "produce": {
        "fresh fruits": [
            "Navel Oranges, 4 lb bag", "Navel Orange, each", "Clementines, 3 lb bag", "Mandarins, 2 lb bag",
            "Blood Oranges, 2 lb bag", "Strawberries, 1 lb", "Organic Strawberries, 1 lb", "Lemons, each",
            "Lemons, 2 lb bag", "Limes, each", "Bananas, bunch", "Organic Bananas", "Macintosh Apples, 3 lb bag",
            "Honeycrisp Apples, each", "Gala Apples, 3 lb bag", "Blueberries, 6 oz", "Red Seedless Grapes, per lb",
            "Pink Grapefruit, each", "Bartlett Pears, each", "Pineapple, each", "Mango, each", "Raspberries, 6 oz",
        ],
        "fresh vegetables": [
            "Hass Avocados, each", "Hass Avocados, 4 count bag", "Roma Tomatoes, per lb", "Yellow Onions, 3 lb bag",
            "Red Onion, each", "Garlic, 3 count", "Iceberg Lettuce, head", "Romaine Hearts, 3 count",
            "Baby Carrots, 1 lb", "Broccoli Crowns, per lb", "Green Bell Pepper, each", "Red Bell Pepper, each",
            "Jalapeno Peppers, per lb", "Russet Potatoes, 5 lb bag", "Sweet Potatoes, per lb", "Cucumber, each",
            "Zucchini, per lb", "Celery Hearts", "Baby Spinach, 5 oz", "White Mushrooms, 8 oz", "Ginger Root, per lb",
            "Green Onions, bunch",
        ],
        "fresh herbs": [
            "Cilantro, bunch", "Italian Parsley, bunch", "Fresh Basil, 0.75 oz", "Fresh Mint, 0.75 oz",
            "Fresh Rosemary, 0.75 oz", "Fresh Dill, 0.75 oz",
        ],
        "packaged salads": [
            "Green Valley Caesar Salad Kit, 10 oz", "Green Valley Spring Mix, 5 oz", "Green Valley Spring Mix Salad 5oz",
            "Green Valley Chopped Kale Salad Kit", "Green Valley Shredded Lettuce, 8 oz", "Coleslaw Mix, 14 oz",
        ],
    },
    "dairy & eggs": {
        "milk": [
            "Meadow Farms Whole Milk, 1 gal", "Meadow Farms Whole Milk 1 Gallon", "Meadow Farms 2% Reduced Fat Milk, 1 gal",
            "Meadow Farms Skim Milk, half gal", "Meadow Farms Chocolate Milk, half gal", "Oat Milk Original, 64 oz",
            "Unsweetened Almond Milk, 64 oz", "Lactose Free Whole Milk, half gal",
        ],
        "yogurt": [
            "Alpine Greek Yogurt Plain, 32 oz", "Alpine Greek Yogurt Vanilla, 32 oz", "Alpine Strawberry Yogurt Cups, 6 pk",
            "Alpine Blueberry Greek Yogurt, 5.3 oz", "Kids Yogurt Tubes, 8 count", "Plain Whole Milk Yogurt, 32 oz",
        ],
        "cheese": [
            "Meadow Farms Shredded Mexican Blend Cheese, 8 oz", "Meadow Farms Shredded Cheddar, 8 oz",
            "Meadow Farms Finely Shredded Mexican Four Cheese Blend 8 oz", "Sharp Cheddar Block, 8 oz",
            "Sliced Provolone, 8 oz", "Grated Parmesan Cheese, 8 oz", "Fresh Mozzarella Ball, 8 oz",
            "Crumbled Feta, 4 oz", "Cream Cheese, 8 oz", "American Cheese Singles, 16 slices", "String Cheese, 12 pk",
            "Cotija Cheese, 10 oz",
        ],
        "eggs": [
            "Large Grade A Eggs, 12 count", "Large Grade A Eggs, 18 count", "Cage Free Large Brown Eggs, 12 ct",
            "Cage-Free Brown Eggs Large, Dozen", "Liquid Egg Whites, 16 oz",
        ],
        "butter & cream": [
            "Meadow Farms Unsalted Butter, 4 sticks", "Meadow Farms Salted Butter, 1 lb", "Heavy Whipping Cream, 16 oz",
            "Half and Half, 32 oz", "Sour Cream, 16 oz", "French Vanilla Coffee Creamer, 32 oz",
        ],
    },
    "bakery": {
        "bread": [
            "Hearth Oven Whole Wheat Bread, 20 oz", "Hearth Oven 100% Whole Wheat Sandwich Bread 20oz",
            "Hearth Oven White Sandwich Bread", "Sourdough Loaf", "Plain Bagels, 6 count", "English Muffins, 6 count",
            "Hamburger Buns, 8 count", "Hot Dog Buns, 8 count", "French Baguette", "Cinnamon Raisin Bread, 16 oz",
        ],
        "tortillas & flatbreads": [
            "Casa Sol Flour Tortillas, 10 count", "Casa Sol Flour Tortillas Burrito Size, 8 ct",
            "Casa Sol Soft Taco Flour Tortillas 10ct", "Casa Sol Corn Tortillas, 30 count",
            "Casa Sol White Corn Tortillas 30 ct", "Whole Wheat Tortillas, 8 count", "Crunchy Taco Shells, 12 count",
            "Naan Flatbread, 2 pack", "Pita Bread, 6 count",
        ],
        "pastries & desserts": [
            "Blueberry Muffins, 4 pack", "Chocolate Chip Cookies, bakery 12 ct", "Croissants, 4 pack",
            "Cinnamon Rolls, 6 pack", "Glazed Donuts, 6 pack", "Apple Pie, 8 inch",
        ],
    },
    "pantry": {
        "baking ingredients": [
            "All-Purpose Flour, 5 lb", "All Purpose Flour 5 lb Bag", "Bread Flour, 5 lb", "Granulated Sugar, 4 lb",
            "Light Brown Sugar, 2 lb", "Powdered Sugar, 2 lb", "Baking Soda, 1 lb", "Baking Powder, 8.1 oz",
            "Pure Vanilla Extract, 2 oz", "Semi-Sweet Chocolate Chips, 12 oz", "Active Dry Yeast, 3 pack",
            "Unsweetened Cocoa Powder, 8 oz", "Chocolate Cake Mix, 15.25 oz", "Vanilla Frosting, 16 oz",
            "Vegetable Shortening, 16 oz", "Cornstarch, 16 oz",
        ],
        "pasta & grains": [
            "Elbow Macaroni, 16 oz", "Elbow Macaroni Pasta 1 lb", "Spaghetti, 16 oz", "Penne Rigate, 16 oz",
            "Rotini, 16 oz", "Lasagna Noodles, 16 oz", "Long Grain White Rice, 5 lb", "Jasmine Rice, 2 lb",
            "Brown Rice, 2 lb", "Quinoa, 12 oz", "Egg Noodles, 12 oz", "Couscous, 10 oz",
        ],
        "instant foods": [
            "Cheddar Bay Macaroni and Cheese Dinner, 7.25 oz", "Cheddar Bay Macaroni & Cheese Dinner 7.25oz Box",
            "Cheddar Bay Macaroni and Cheese Family Size, 14.5 oz", "Golden Spoon Shells and White Cheddar, 6 oz",
            "Golden Spoon Deluxe Macaroni and Cheese, 12 oz", "Cheddar Bay Mac and Cheese Cups, 4 pack",
            "Cheddar Bay Microwavable Mac & Cheese Cups 4 ct", "Chicken Ramen Noodle Soup, 12 pack",
            "Instant Mashed Potatoes, 8 oz", "Cup Noodles Chicken, 6 pack",
        ],
        "canned goods": [
            "Black Beans, 15 oz can", "Refried Beans, 16 oz can", "Pinto Beans, 15 oz can", "Diced Tomatoes, 14.5 oz",
            "Tomato Paste, 6 oz", "Chicken Noodle Soup, 10.75 oz", "Tomato Soup, 10.75 oz", "Sweet Corn, 15 oz can",
            "Chickpeas, 15 oz can", "Chunk Light Tuna, 5 oz can", "Chicken Broth, 32 oz", "Coconut Milk, 13.5 oz can",
        ],
        "sauces & condiments": [
            "Marinara Pasta Sauce, 24 oz", "Tomato Basil Pasta Sauce 24oz", "Alfredo Sauce, 15 oz",
            "Basil Pesto, 6 oz", "Tomato Ketchup, 20 oz", "Yellow Mustard, 14 oz", "Real Mayonnaise, 30 oz",
            "Ranch Dressing, 16 oz", "Balsamic Vinaigrette, 16 oz", "BBQ Sauce, 18 oz", "Hot Sauce, 5 oz",
            "Dill Pickle Spears, 24 oz",
        ],
        "spreads": [
            "Orange Marmalade, 18 oz", "Seville Orange Marmalade 12 oz Jar", "Strawberry Preserves, 18 oz",
            "Grape Jelly, 30 oz", "Creamy Peanut Butter, 16 oz", "Crunchy Peanut Butter, 16 oz",
            "Hazelnut Cocoa Spread, 13 oz", "Clover Honey, 12 oz", "Almond Butter, 12 oz",
        ],
        "spices & seasonings": [
            "Taco Seasoning Mix, 1 oz", "Mild Taco Seasoning Packet 1oz", "Ground Cumin, 2 oz", "Chili Powder, 2.5 oz",
            "Ground Cinnamon, 2.4 oz", "Garlic Powder, 3 oz", "Black Peppercorns, 2 oz", "Sea Salt, 26 oz",
            "Italian Seasoning, 1 oz", "Smoked Paprika, 2 oz", "Ground Nutmeg, 1 oz",
        ],
        "oils & vinegars": [
            "Extra Virgin Olive Oil, 16.9 oz", "Extra-Virgin Olive Oil 500 ml", "Canola Oil, 48 oz",
            "Vegetable Oil, 48 oz", "Cooking Spray, 6 oz", "Balsamic Vinegar, 16 oz", "Apple Cider Vinegar, 32 oz",
            "Toasted Sesame Oil, 5 oz",
        ],
    },
    "breakfast": {
        "cereal": [
            "Honey Oat Crunch Cereal, 12 oz", "Frosted Corn Flakes, 13.5 oz", "Toasted Oat Rings, 18 oz",
            "Toasted Oat O's Cereal 18oz", "Raisin Bran, 16 oz", "Chocolate Puffs Cereal, 11 oz", "Granola, 12 oz",
            "Cinnamon Squares Cereal, 12 oz",
        ],
        "hot cereal & oatmeal": [
            "Old Fashioned Rolled Oats, 42 oz", "Quick Oats, 18 oz", "Instant Oatmeal Maple Brown Sugar, 10 pk",
            "Instant Oatmeal Variety Pack, 10 count", "Cream of Wheat, 28 oz",
        ],
        "pancake & waffle mixes": [
            "Buttermilk Pancake Mix, 32 oz", "Complete Buttermilk Pancake & Waffle Mix 32oz", "Pure Maple Syrup, 12 oz",
            "Original Pancake Syrup, 24 oz", "Blueberry Waffle Mix, 24 oz",
        ],
        "breakfast bars": [
            "Chewy Granola Bars Chocolate Chip, 8 ct", "Oats and Honey Crunchy Granola Bars, 12 ct",
            "Strawberry Toaster Pastries, 8 ct", "Protein Bars Peanut Butter, 5 ct",
        ],
    },
    "snacks": {
        "chips & pretzels": [
            "El Sol Tortilla Chips, Restaurant Style, 13 oz", "El Sol Restaurant Style Tortilla Chips 13oz Bag",
            "El Sol Lime Tortilla Chips, 11 oz", "Blue Corn Tortilla Chips, 12 oz", "Tortilla Chips Scoops, 10 oz",
            "Classic Potato Chips, 8 oz", "Kettle Cooked Sea Salt Chips, 8 oz", "Sour Cream & Onion Chips, 8 oz",
            "Mini Pretzel Twists, 16 oz", "Cheese Puffs, 8 oz", "Butter Microwave Popcorn, 3 pack",
        ],
        "salsa & dips": [
            "El Sol Medium Chunky Salsa, 16 oz", "El Sol Chunky Salsa Medium 16 oz Jar", "El Sol Mild Salsa, 16 oz",
            "Salsa Verde, 16 oz", "Fresh Pico de Gallo, 12 oz", "Guacamole, 8 oz", "Queso Cheese Dip, 15 oz",
            "French Onion Dip, 16 oz", "Classic Hummus, 10 oz", "Black Bean Dip, 9 oz",
        ],
        "nuts & seeds": [
            "Macadamia Nuts, 8 oz", "Dry Roasted Macadamia Nuts Salted 8oz", "Whole Almonds, 16 oz",
            "Roasted Salted Cashews, 16 oz", "Honey Roasted Peanuts, 16 oz", "Shelled Pistachios, 12 oz",
            "Walnut Halves, 8 oz", "Trail Mix, 26 oz", "Sunflower Seeds, 5.25 oz",
        ],
        "cookies & crackers": [
            "Chocolate Sandwich Cookies, 14 oz", "Chocolate Chip Cookies, 13 oz", "Graham Crackers, 14.4 oz",
            "Saltine Crackers, 16 oz", "Cheddar Cheese Crackers, 6.6 oz", "Cheddar Baked Snack Crackers 6.6oz",
            "Butter Crackers, 13.7 oz", "Animal Crackers, 8 oz", "Wheat Thin Crackers, 9 oz",
        ],
        "candy & chocolate": [
            "Milk Chocolate Bar, 1.55 oz", "Dark Chocolate Bar 70%, 3.5 oz", "Peanut Butter Cups, 6 pack",
            "Gummy Bears, 12 oz", "Chocolate Candies Share Size", "Licorice Twists, 16 oz", "Mini Marshmallows, 10 oz",
        ],
    },
    "beverages": {
        "juice": [
            "Sunny Grove Orange Juice, No Pulp, 52 fl oz", "Sunny Grove 100% Orange Juice No Pulp 52 oz",
            "Sunny Grove Orange Juice with Pulp, 52 fl oz", "Sunny Grove Calcium Fortified Orange Juice, 89 oz",
            "Sunny Grove Orange Juice, 1 gal", "Store Brand Orange Juice From Concentrate, 64 oz",
            "Apple Juice, 64 oz", "Cranberry Juice Cocktail, 64 oz", "Ruby Red Grapefruit Juice, 52 oz",
            "Lemonade, 52 oz", "Apple Juice Boxes, 8 pack", "Fruit Punch Juice Boxes, 10 pack",
        ],
        "coffee": [
            "Morning Ridge Medium Roast Ground Coffee, 12 oz", "Morning Ridge Ground Coffee Medium Roast 12oz Bag",
            "Dark Roast Whole Bean Coffee, 12 oz", "Decaf Ground Coffee, 11 oz", "Coffee Pods Breakfast Blend, 24 ct",
            "Instant Coffee, 8 oz", "Cold Brew Coffee, 32 oz",
        ],
        "tea": [
            "Black Tea Bags, 100 count", "Green Tea Bags, 40 count", "Chamomile Herbal Tea, 20 count",
            "Earl Grey Tea, 20 count", "Sweet Iced Tea, 64 oz",
        ],
        "soda & sparkling water": [
            "Cola, 12 pack cans", "Diet Cola, 12 pack", "Lemon Lime Soda, 2 liter", "Ginger Ale, 12 pack",
            "Lime Sparkling Water, 8 pack", "Orange Soda, 2 liter", "Root Beer, 12 pack",
        ],
        "water": [
            "Spring Water, 24 pack 16.9 oz", "Spring Water 24 x 16.9 fl oz Bottles", "Distilled Water, 1 gal",
            "Electrolyte Water, 1 liter", "Sports Drink Fruit Punch, 8 pack",
        ],
    },
    "frozen": {
        "frozen meals": [
            "Frozen Chicken Burrito, 5 oz", "Frozen Macaroni and Cheese Bowl, 10 oz", "Frozen Lasagna, 38 oz",
            "Frozen Chicken Pot Pie, 10 oz", "Frozen Beef Enchiladas, 10 oz", "Frozen Fried Rice, 22 oz",
            "Frozen Pot Stickers, 24 oz",
        ],
        "frozen pizza": [
            "Frozen Pepperoni Pizza, 12 inch", "Frozen Four Cheese Pizza, 12 inch", "Frozen Supreme Pizza, 12 inch",
            "Pizza Rolls, 40 count", "French Bread Pizza, 2 pack",
        ],
        "frozen produce": [
            "Frozen Broccoli Florets, 12 oz", "Frozen Sweet Peas, 12 oz", "Frozen Mixed Vegetables, 16 oz",
            "Frozen Strawberries, 16 oz", "Frozen Mixed Berries, 16 oz", "Frozen Corn, 12 oz",
            "Frozen French Fries, 32 oz",
        ],
        "ice cream & desserts": [
            "Vanilla Bean Ice Cream, 1.5 qt", "Chocolate Ice Cream, 1.5 qt", "Strawberry Ice Cream, 1.5 qt",
            "Mint Chocolate Chip Ice Cream, 48 oz", "Ice Cream Sandwiches, 12 pack", "Fruit Juice Bars, 6 ct",
            "Frozen Whipped Topping, 8 oz",
        ],
    },
    "meat & seafood": {
        "poultry": [
            "Boneless Skinless Chicken Breasts, per lb", "Chicken Breast Boneless Skinless 1 lb", "Chicken Thighs, per lb",
            "Whole Chicken, per lb", "Chicken Wings, per lb", "Ground Turkey, 1 lb",
        ],
        "beef & pork": [
            "Ground Beef 80/20, 1 lb", "80% Lean Ground Beef 1 lb", "Ground Beef 93/7, 1 lb", "Ribeye Steak, per lb",
            "Flank Steak, per lb", "Pork Chops, per lb", "Thick Cut Bacon, 16 oz", "Breakfast Sausage Links, 12 oz",
            "Chorizo, 9 oz", "Beef Hot Dogs, 8 count",
        ],
        "seafood": [
            "Atlantic Salmon Fillet, per lb", "Raw Shrimp, 16 oz", "Cod Fillets, per lb", "Tilapia Fillets, per lb",
            "Frozen Fish Sticks, 24 oz",
        ],
    },
    "deli": {
        "lunch meat": [
            "Oven Roasted Turkey Breast, sliced 9 oz", "Honey Ham, sliced 9 oz", "Genoa Salami, 7 oz",
            "Sliced Turkey Breast Oven Roasted 9oz", "Roast Beef, sliced 7 oz", "Lunch Kit Turkey & Cheddar",
        ],
        "prepared foods": [
            "Rotisserie Chicken, whole", "Deli Macaroni Salad, per lb", "Deli Potato Salad, per lb",
            "Deli Mac and Cheese, per lb", "Chicken Caesar Wrap", "Sushi California Roll, 8 pc",
        ],
    },
    "international": {
        "asian foods": [
            "Soy Sauce, 15 oz", "Low Sodium Soy Sauce 15 fl oz", "Sriracha Hot Chili Sauce, 17 oz",
            "Teriyaki Sauce, 10 oz", "Rice Noodles, 14 oz", "Udon Noodles, 3 pack", "Firm Tofu, 14 oz",
            "Hoisin Sauce, 8.5 oz", "Nori Seaweed Sheets, 10 ct",
        ],
        "mexican foods": [
            "Enchilada Sauce, 10 oz", "Diced Green Chiles, 4 oz", "Chipotle Peppers in Adobo, 7 oz",
            "Sliced Jalapenos, 12 oz jar", "Masa Harina Corn Flour, 4 lb", "Taco Dinner Kit, 12 count",
        ],
        "indian foods": [
            "Tikka Masala Simmer Sauce, 15 oz", "Basmati Rice, 2 lb", "Garam Masala, 2 oz", "Red Lentils, 2 lb",
            "Mango Chutney, 9 oz",
        ],
    },
    "household": {
        "cleaning": [
            "All Purpose Cleaner Spray, 32 oz", "Disinfecting Wipes, 75 count", "Dish Soap, 24 oz",
            "Dishwasher Detergent Pods, 42 count", "Glass Cleaner, 26 oz", "Scrub Sponges, 6 pack",
        ],
        "paper goods": [
            "Paper Towels, 6 rolls", "Toilet Paper, 12 double rolls", "Facial Tissues, 3 boxes",
            "Paper Plates, 100 count", "Paper Napkins, 250 count", "Toilet Paper 12 Double Rolls",
        ],
        "laundry": [
            "Liquid Laundry Detergent, 92 oz", "Laundry Detergent Pods, 42 count", "Fabric Softener, 64 oz",
            "Dryer Sheets, 120 count", "Stain Remover Spray, 22 oz",
        ],
        "kitchen supplies": [
            "Aluminum Foil, 75 sq ft", "Plastic Wrap, 200 sq ft", "Zip Sandwich Bags, 100 count",
            "Tall Kitchen Trash Bags, 40 count", "Parchment Paper, 45 sq ft",
        ],
    },
    "personal care": {
        "oral care": [
            "Fluoride Toothpaste Mint, 5.5 oz", "Whitening Toothpaste, 4 oz", "Soft Toothbrushes, 2 pack",
            "Mint Mouthwash, 1 liter", "Waxed Dental Floss, 50 yd",
        ],
        "hair care": [
            "Moisturizing Shampoo, 12 oz", "Moisturizing Conditioner, 12 oz", "2-in-1 Shampoo & Conditioner, 25 oz",
            "Hair Gel, 8 oz",
        ],
        "skin & body": [
            "Moisturizing Body Wash, 18 oz", "Bar Soap, 8 pack", "Daily Moisturizing Lotion, 16 oz",
            "Sunscreen SPF 50, 8 oz", "Lip Balm, 3 pack", "Deodorant Stick, 2.6 oz", "Hand Soap Refill, 56 oz",
        ],
        "medicine cabinet": [
            "Pain Reliever Tablets, 100 ct", "Allergy Relief Tablets, 30 ct", "Adhesive Bandages, 30 count",
            "Cough Drops Honey Lemon, 30 ct", "Multivitamin Gummies, 90 ct",
        ],
    },
    "baby": {
        "diapers & wipes": [
            "Baby Diapers Size 3, 84 count", "Baby Diapers Size 4, 74 count", "Baby Wipes Unscented, 3 pack",
            "Diaper Rash Cream, 4 oz",
        ],
        "baby food & formula": [
            "Infant Formula Powder, 29 oz", "Baby Food Apple Puree, 4 pack", "Baby Food Sweet Potato Puree, 4 pack",
            "Baby Oatmeal Cereal, 8 oz", "Toddler Puffs Strawberry, 1.48 oz",
        ],
    },
    "pets": {
        "dog food & treats": [
            "Dry Dog Food Chicken & Rice, 30 lb", "Dry Dog Food Chicken and Rice Recipe 30 lb Bag",
            "Wet Dog Food Beef Stew, 13 oz", "Dog Biscuits, 24 oz", "Dental Chews for Dogs, 30 count",
        ],
        "cat food & litter": [
            "Dry Cat Food Salmon, 16 lb", "Wet Cat Food Pate Variety, 12 pack", "Cat Treats Chicken, 6 oz",
            "Clumping Cat Litter, 40 lb",
        ],
    },
}

# A shopper theme: aisles it shops from, with weights. A basket draws a few aisles from one or two themes and a
# few products from each, so products of the same aisle (and of aisles shopped together) co-occur.
THEMES: dict[str, dict[str, float]] = {
    "baking": {"baking ingredients": 5, "eggs": 2, "butter & cream": 2, "milk": 1, "spices & seasonings": 1,
               "fresh fruits": 0.5},
    "breakfast": {"cereal": 3, "milk": 2, "hot cereal & oatmeal": 2, "pancake & waffle mixes": 2, "eggs": 1.5,
                  "bread": 1.5, "juice": 2, "coffee": 1.5, "spreads": 1.5, "breakfast bars": 1, "yogurt": 1},
    "taco night": {"tortillas & flatbreads": 4, "salsa & dips": 3, "chips & pretzels": 2, "mexican foods": 2.5,
                   "beef & pork": 1.5, "cheese": 1.5, "fresh vegetables": 1.5, "canned goods": 1,
                   "fresh herbs": 1},
    "fruit": {"fresh fruits": 6, "juice": 2, "yogurt": 1.5, "frozen produce": 1},
    "pasta night": {"pasta & grains": 4, "sauces & condiments": 3, "cheese": 1.5, "fresh herbs": 1,
                    "bread": 1, "oils & vinegars": 1, "canned goods": 1},
    "kids lunch": {"instant foods": 4, "lunch meat": 2, "cookies & crackers": 2, "juice": 1.5, "bread": 1,
                   "spreads": 1.5, "yogurt": 1},
    "party": {"chips & pretzels": 3, "salsa & dips": 2.5, "soda & sparkling water": 3, "candy & chocolate": 2,
              "nuts & seeds": 2, "paper goods": 1, "frozen pizza": 1},
    "salad & healthy": {"packaged salads": 3, "fresh vegetables": 3, "fresh herbs": 1, "poultry": 1.5,
                        "oils & vinegars": 1.5, "nuts & seeds": 1, "water": 1},
    "grill": {"beef & pork": 3, "poultry": 2, "seafood": 1.5, "bread": 1, "sauces & condiments": 2,
              "soda & sparkling water": 1},
    "frozen dinners": {"frozen meals": 4, "frozen pizza": 3, "frozen produce": 2, "ice cream & desserts": 2},
    "asian cooking": {"asian foods": 5, "pasta & grains": 1, "fresh vegetables": 2, "poultry": 1, "seafood": 1},
    "indian cooking": {"indian foods": 5, "fresh vegetables": 1.5, "fresh herbs": 1, "canned goods": 1,
                       "yogurt": 1},
    "coffee & tea": {"coffee": 4, "tea": 3, "butter & cream": 1.5, "milk": 1, "pastries & desserts": 1},
    "household": {"cleaning": 4, "paper goods": 3, "laundry": 3, "kitchen supplies": 2},
    "personal care": {"oral care": 3, "hair care": 3, "skin & body": 3, "medicine cabinet": 2},
    "baby": {"diapers & wipes": 4, "baby food & formula": 4, "skin & body": 0.5, "fresh fruits": 0.5},
    "pets": {"dog food & treats": 4, "cat food & litter": 4, "paper goods": 0.5},
    "deli & snacks": {"prepared foods": 3, "lunch meat": 2, "cookies & crackers": 1.5, "candy & chocolate": 1,
                      "water": 1},
    "dessert": {"ice cream & desserts": 4, "pastries & desserts": 3, "candy & chocolate": 2,
                "cookies & crackers": 1},
}


def build_products() -> list[dict]:
    """The catalogue as rows (product_id from 1, in the order of CATALOGUE)."""
    rows, seen = [], set()
    for department, aisles in CATALOGUE.items():
        for aisle, names in aisles.items():
            for name in names:
                if name in seen:
                    raise ValueError(f"duplicate product name {name!r}")
                seen.add(name)
                rows.append({"product_id": len(rows) + 1, "name": name, "aisle": aisle, "department": department})
    return rows


def build_baskets(products: list[dict], rng: random.Random, n_baskets: int = N_BASKETS) -> list[list[int]]:
    """Sample baskets of product ids from shopper themes (see THEMES)."""
    by_aisle: dict[str, list[int]] = {}
    for row in products:
        by_aisle.setdefault(row["aisle"], []).append(row["product_id"])
    for theme, aisles in THEMES.items():
        missing = set(aisles) - set(by_aisle)
        if missing:
            raise ValueError(f"theme {theme!r} names unknown aisles {sorted(missing)}")
    # Each product gets a fixed popularity, so some products are bought far more often than others.
    popularity = {row["product_id"]: rng.uniform(0.3, 3.0) for row in products}
    theme_names = list(THEMES)
    baskets = []
    for _ in range(n_baskets):
        themes = [rng.choice(theme_names)]
        if rng.random() < 0.3:
            themes.append(rng.choice(theme_names))
        basket: list[int] = []
        for theme in themes:
            aisles, weights = zip(*THEMES[theme].items())
            for aisle in rng.choices(aisles, weights=weights, k=rng.randint(2, 4)):
                ids = by_aisle[aisle]
                for _ in range(rng.randint(1, 3)):
                    product = rng.choices(ids, weights=[popularity[i] for i in ids])[0]
                    if product not in basket:
                        basket.append(product)
        if rng.random() < 0.15:  # an impulse buy from anywhere
            product = rng.choice(products)["product_id"]
            if product not in basket:
                basket.append(product)
        if len(basket) >= 2:
            baskets.append(basket)
    return baskets


def write(out_dir: Path = OUT_DIR, seed: int = SEED) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    products = build_products()
    with open(out_dir / "products.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["product_id", "name", "aisle", "department"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(products)
    baskets = build_baskets(products, random.Random(seed))
    with open(out_dir / "baskets.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["basket_id", "product_id"])
        for basket_id, basket in enumerate(baskets, start=1):
            for product_id in basket:
                writer.writerow([basket_id, product_id])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write products.csv and baskets.csv")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    write(args.out, args.seed)
    print(f"wrote {args.out / 'products.csv'} and {args.out / 'baskets.csv'}")
