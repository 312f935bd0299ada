"""Our own vocabulary for products: Faker has no product provider, and our own words keep
product names stable across Faker releases."""

from __future__ import annotations

CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[int, int], float]] = {
    # category: (item names, price range in cents, tax rate)
    "Coffee": (("Espresso", "Cappuccino", "Flat White", "Latte", "Americano", "Mocha", "Cold Brew"), (250, 650), 0.08),
    "Bakery": (("Croissant", "Sourdough Loaf", "Bagel", "Muffin", "Cinnamon Roll", "Baguette", "Scone"), (180, 900), 0.05),
    "Grocery": (("Olive Oil", "Basmati Rice", "Pasta", "Tomato Sauce", "Honey", "Granola", "Oat Milk"), (199, 1899), 0.05),
    "Household": (("Dish Soap", "Paper Towels", "Sponges", "Laundry Pods", "Trash Bags", "Light Bulb"), (299, 2499), 0.2),
    "Stationery": (("Notebook", "Gel Pen", "Pencil Set", "Sticky Notes", "Stapler", "Envelope Pack"), (99, 1599), 0.2),
    "Electronics": (("USB-C Cable", "Phone Charger", "Earbuds", "Power Bank", "AA Batteries", "HDMI Cable"), (499, 5999), 0.2),
}

VARIANTS = ("Small", "Large", "Classic", "Organic", "Premium", "Family Size", "Mini", "Extra", "Original", "Lite")
UNITS = ("pcs", "pcs", "pcs", "kg", "pack")
PAYMENT_TYPES = ("cash", "card", "card", "card", "mobile", "gift_card")
REFUND_REASONS = ("damaged", "wrong item", "customer changed mind", "expired", "overcharged")

# The back office's own vocabulary (shop/backoffice.py): every item of CATEGORIES sits in
# exactly one subcategory of its category.
SUBCATEGORIES: dict[str, dict[str, tuple[str, ...]]] = {
    "Coffee": {"Hot coffee": ("Espresso", "Cappuccino", "Flat White", "Latte", "Americano", "Mocha"),
               "Cold coffee": ("Cold Brew",)},
    "Bakery": {"Pastries": ("Croissant", "Muffin", "Cinnamon Roll", "Scone"),
               "Bread": ("Sourdough Loaf", "Bagel", "Baguette")},
    "Grocery": {"Pantry": ("Olive Oil", "Basmati Rice", "Pasta", "Tomato Sauce", "Honey"),
                "Breakfast": ("Granola", "Oat Milk")},
    "Household": {"Cleaning": ("Dish Soap", "Sponges", "Laundry Pods", "Trash Bags"),
                  "Paper and lighting": ("Paper Towels", "Light Bulb")},
    "Stationery": {"Writing": ("Notebook", "Gel Pen", "Pencil Set", "Sticky Notes"),
                   "Office": ("Stapler", "Envelope Pack")},
    "Electronics": {"Cables and chargers": ("USB-C Cable", "Phone Charger", "HDMI Cable"),
                    "Audio and power": ("Earbuds", "Power Bank", "AA Batteries")},
}
MEASUREMENTS = {"pcs": ("Pieces", False), "kg": ("Kilograms", True), "pack": ("Packs", False)}  # unit: name, decimals
TAX_NAMES = {0.05: "Reduced rate", 0.08: "Sales tax", 0.2: "Standard rate"}
PAYMENT_TYPE_NAMES = {"cash": "Cash", "card": "Card", "mobile": "Mobile wallet", "gift_card": "Gift card"}
SUPPLIERS_PER_CATEGORY = 2
ORDER_STATUSES = ("open", "open", "received", "cancelled")
