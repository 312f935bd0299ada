"""Fidelity from reality: record what the real SalesPlay sends, compare it with the mock's
guesses, replay it against a receiver.

``recording`` is the file format (one JSON line per request) and ``sources`` reads it, a HAR
export or a payload file; ``recorder`` and ``page`` are the ``record`` server; ``compare``
(with ``payloads``, ``headers``, ``timeline``, ``locate``, ``report``) finds the differences;
``replay`` sends a request again with SalesPlay's retry rule. The command line that runs
them is ``mockserver/cli/``: ``fidelity.py`` (their flags), ``record.py``, ``compare.py``, ``replay.py``.
"""
