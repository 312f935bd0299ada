"""``salesplay-mock check URL``: will SalesPlay keep a receiver's webhook enabled? Scenarios
sent from this process to a running receiver, judged by SalesPlay's rules, and reported.

No part of it is HTTP-server code: the CLI, the test handle and the page are adapters over
``run_check``; sending goes through the engine's ``post()``, so an answer is classified
exactly as a real delivery's would be.
"""

from __future__ import annotations

from mockserver.check.report import Exchange, Report, Result
from mockserver.check.runner import CheckOptions, run_check

__all__ = ["CheckOptions", "Exchange", "Report", "Result", "run_check"]
