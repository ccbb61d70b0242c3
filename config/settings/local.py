"""The embedded default: ``make run`` on a laptop. Not for production."""

from config.env import VAR_DIR, env

from .base import *  # noqa: F403
from .base import DATABASES, ICHIBA, LOGGING

# Readable lines on the developer's console; ICHIBA_LOG_FORMAT=json shows what production writes.
LOGGING = {
    **LOGGING,
    "formatters": {
        "structured": {"()": "config.logging.formatter", "log_format": env.str("ICHIBA_LOG_FORMAT", default="console")}
    },
}

# runserver prints a line per request itself.
ACCESS_LOG = env.bool("ICHIBA_ACCESS_LOG", default=False)

# DEBUG comes from base.py: off unless DJANGO_DEBUG=true, here as in production (tests/test_entry_points.py).
# A fixed development key is fine here: local.py is never the production module.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="ichiba-local-development-only-not-a-secret")

# The embedded SQLite database and the data files live here; a fresh checkout has no such folder yet.
VAR_DIR.mkdir(exist_ok=True)

# A partner's receiver under development usually runs on this machine or the local network.
ICHIBA = {
    **ICHIBA,
    # On the embedded database; elsewhere only when asked (`make run` asks): manage.py defaults to these settings,
    # so `manage.py load_demo` typed on a production host must not create the published accounts there.
    "DEMO_DATA_ALLOWED": env.bool(
        "ICHIBA_DEMO_DATA_ALLOWED", default=DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    ),
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": env.bool("ICHIBA_WEBHOOK_ALLOW_PRIVATE_TARGETS", default=True),
    # `manage.py close_periods --as-of <a future instant>` closes periods ahead of time (a test clock).
    "SUBSCRIPTION_TEST_CLOCK": env.bool("ICHIBA_SUBSCRIPTION_TEST_CLOCK", default=True),
    # A made-up registration number (its check digit valid) so that the market issues qualified invoices here.
    "INVOICE_REGISTRATION_NUMBER": env.str("ICHIBA_INVOICE_REGISTRATION_NUMBER", default="T5010001199999"),
}
