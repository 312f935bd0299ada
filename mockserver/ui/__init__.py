"""The web page: every webhook, event, delivery and attempt, live; SalesPlay's set-up screen."""
