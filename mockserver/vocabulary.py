"""The words every part shares: event types, delivery statuses and kinds. No imports,
so the command line and a starting server have them at no cost."""

EVENT_TYPES = (
    "inventory_levels.update",
    "products.update",
    "customers.update",
    "receipts.update",
    "credit_note.update",
)

DELIVERY_STATUSES = ("pending", "succeeded", "failed", "cancelled", "skipped")
# event: an event as SalesPlay sends it; sample: the POST at registration; redelivery: sent
# again on demand; duplicate: a second copy sent by the duplicate fault.
DELIVERY_KINDS = ("event", "sample", "redelivery", "duplicate")
