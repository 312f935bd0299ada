"""Where the page's CSS, JavaScript and icon are, inside the package."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).parent / "static"  # not importlib.resources: 3 ms of start-up for the same answer
