"""What the page's search box finds: a delivery or an event by the start of its id, in any
case, with its prefix (``dlv_``, ``evt_``) or without; and an event by the start of a text
in its payload: a receipt or credit note number, a product code or barcode, a SalesPlay id.
The store turns these into SQL ``LIKE`` patterns (``ESCAPE '\\'``)."""

from __future__ import annotations

from dataclasses import dataclass

DELIVERY, EVENT = "dlv_", "evt_"


def _escaped(text: str) -> str:
    """``text`` taken literally by LIKE: its own ``%`` and ``_`` are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Search:
    """A search as LIKE patterns; None where the text cannot match (a ``dlv_`` text is no
    event id)."""

    delivery_id: str | None
    event_id: str | None
    payload: str | None  # a string value in the payload's JSON that starts with the text

    @classmethod
    def of(cls, text: str) -> Search:
        words = text.strip()
        lower = words.lower()
        if lower.startswith(DELIVERY):
            return cls(_escaped(lower) + "%", None, None)
        if lower.startswith(EVENT):
            return cls(None, _escaped(lower) + "%", None)
        # Payloads are stored as Python's json.dumps writes them: a value follows '": "'.
        return cls(_escaped(DELIVERY + lower) + "%", _escaped(EVENT + lower) + "%",
                   '%": "' + _escaped(words) + "%")
