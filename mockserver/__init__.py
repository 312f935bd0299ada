"""salesplay-mock: SalesPlay POS's side of the webhook wire, on your laptop or in CI."""

__version__ = "0.1.0"
