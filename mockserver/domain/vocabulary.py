"""The words every part shares: event types, delivery statuses and kinds, as Literal types
(the states a record can be in) and as tuples of their values (what input is checked against)."""

from typing import Literal, TypeVar, get_args

from mockserver.domain.errors import InvalidField

Word = TypeVar("Word", bound=str)

EVENT_TYPES = (
    "inventory_levels.update",
    "products.update",
    "customers.update",
    "receipts.update",
    "credit_note.update",
)

DeliveryStatus = Literal["pending", "succeeded", "failed", "cancelled", "skipped"]
DELIVERY_STATUSES: tuple[DeliveryStatus, ...] = get_args(DeliveryStatus)
# event: an event as SalesPlay sends it; sample: the POST at registration; redelivery: sent
# again on demand; duplicate: a second copy sent by the duplicate fault.
DeliveryKind = Literal["event", "sample", "redelivery", "duplicate"]
DELIVERY_KINDS: tuple[DeliveryKind, ...] = get_args(DeliveryKind)
# event: the shop acted (or a payload was sent as given); sample: the payload of the sample
# POST at registration, from a shop of its own. Its deliveries have the same kind.
EventKind = Literal["event", "sample"]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)
WebhookStatus = Literal["enabled", "disabled"]
AttemptState = Literal["succeeded", "failed"]  # what one attempt came to

# The shop's named operations and the event types each sends, in sending order. A refund
# with nothing left to refund buys first: that sale sends its own receipts.update.
OPERATION_EVENTS: dict[str, tuple[str, ...]] = {
    "sale": ("receipts.update", "inventory_levels.update"),
    "receipt_update": ("receipts.update", "inventory_levels.update"),
    "refund": ("credit_note.update", "inventory_levels.update"),
    "product_create": ("products.update",),
    "product_edit": ("products.update",),
    "product_delete": ("products.update",),
    "customer_create": ("customers.update",),
    "customer_edit": ("customers.update",),
    "customer_delete": ("customers.update",),
    "stock_count": ("inventory_levels.update",),
    "goods_receipt": ("inventory_levels.update",),
}


def operations_sending(type_: str) -> list[str]:
    """The operations that send events of ``type_``."""
    return [name for name, types in OPERATION_EVENTS.items() if type_ in types]


def word_of(raw: str | None, words: tuple[Word, ...], field: str) -> Word | None:
    """``raw`` as one of ``words`` (typed as they are), None for None; an InvalidField naming
    ``field`` and the words otherwise."""
    if raw is None:
        return None
    for word in words:
        if raw == word:
            return word
    raise InvalidField(f"'{field}' must be one of " + ", ".join(words), field=field)
