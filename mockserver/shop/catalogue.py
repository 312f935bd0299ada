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
