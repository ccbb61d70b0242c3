"""The embedded default: ``make run`` on a laptop. Not for production."""

from config.env import env

from .base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A fixed development key is fine here: local.py is never the production module.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="ichiba-local-development-only-not-a-secret")
