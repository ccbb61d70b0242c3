"""The benches' server settings: the local settings, plus ``tests.bench.urls`` (a no-op endpoint for the HTTP
bench's reference). Only ``python -m tests.bench http`` starts a server with them (``DJANGO_SETTINGS_MODULE``)."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
