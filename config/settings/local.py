"""The embedded default: ``make run`` on a laptop. Not for production."""

from config.env import VAR_DIR, env

from .base import *  # noqa: F403
from .base import ICHIBA

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A fixed development key is fine here: local.py is never the production module.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="ichiba-local-development-only-not-a-secret")

# The embedded SQLite database and the data files live here; a fresh checkout has no such folder yet.
VAR_DIR.mkdir(exist_ok=True)

# A partner's receiver under development usually runs on this machine or the local network.
ICHIBA = {
    **ICHIBA,
    "DEMO_DATA_ALLOWED": True,
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": env.bool("ICHIBA_WEBHOOK_ALLOW_PRIVATE_TARGETS", default=True),
}
