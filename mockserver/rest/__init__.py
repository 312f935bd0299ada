"""SalesPlay's REST API, read side: its resources, faults on purpose and record schemas."""
