"""The simulated SalesPlay merchant: world state, ids, operations and their events.

Nothing here knows about HTTP or the clock: callers pass the simulated time in.
"""
