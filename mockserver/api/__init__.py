"""The HTTP adapters for SalesPlay's API (/v1.0), the control API (/_mock) and the sink."""
