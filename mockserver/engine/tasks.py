"""Stopping background tasks for sure."""

from __future__ import annotations

import asyncio


async def cancel_and_wait(task: asyncio.Task[None], *, patience: float = 1.0) -> None:
    """Cancel ``task`` and wait until it is done, cancelling again should a cancellation be
    lost on the way (a library that swallows one must not keep the server from stopping)."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=patience)
    if not task.cancelled():
        task.exception()  # retrieved: a task that failed while stopping is not an unhandled error
