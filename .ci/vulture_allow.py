# Names vulture (the dead-code finder, run by .ci/run) cannot see used, each for a reason.
# Anything else it finds in mockserver/ is dead: delete it rather than list it here.
# ruff: noqa
_ = object()

# Read by the page's jinja2 templates (templates/, mockserver/fidelity/page.html).
_.attempts_left  # service/reads.py WebhookSummary, templates/_hooks_live.html
_.preview, _.cut  # fidelity/page.py, fidelity/page.html
_.now_x, _.disable_x, _.disabled_x, _.has_groups  # ui/timeline.py, templates/_timeline.html

# Record fields read by name when a record is rendered as SalesPlay's JSON (shop/views.py).
_.barcode, _.phone, _.country_code, _.loyalty_points

# Set for the standard library or a framework, which reads them.
_.exc_text, _.levelno  # logging.LogRecord (api/errors.py)
_.row_factory  # sqlite3.Connection (store/db.py)
_.daemon_threads, _.request_queue_size, _.log_message  # socketserver / wsgiref (testing/receivers.py)
_.should_exit  # uvicorn.Server (testing/receivers.py)
_.pytest_addoption, _.salesplay_async  # pytest's hook and a fixture (pytest_plugin.py)

# The test handle's public API, which the synchronous SalesPlay wraps by name (testing/sync.py).
_.assert_disabled, _.assert_enabled, _.assert_check_passes, _.operate
