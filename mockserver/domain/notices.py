"""Word that a merchant's records changed. The engine and the service say so; the adapters
that care (the live page's change feed) subscribe. Neither side knows the other."""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[str], None]  # called with the merchant (token) whose records changed


class Notices:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def changed(self, owner: str) -> None:
        """Something of ``owner``'s changed (and is committed, or about to be)."""
        for listener in self._listeners:
            listener(owner)
