"""Which settings each way of starting Ichiba runs: a server, worker or beat started on the deployment entry
points gets production settings unless told otherwise, so a forgotten ``DJANGO_SETTINGS_MODULE`` stops it with
the missing secret named instead of serving with DEBUG on, a known secret key and webhooks allowed to reach
private addresses; ``manage.py`` (``make run``) stays on the embedded local settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import run_python

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "start",
    [
        "import config.wsgi",
        "import config.asgi",
        "from config.celery import app; app.conf.broker_url",  # what `celery -A config worker` reads first
    ],
)
def test_a_deployment_entry_point_runs_production_settings_and_names_what_is_missing(start: str) -> None:
    result = run_python(start)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr, result.stderr[-2000:]
    assert "DJANGO_SECRET_KEY" in result.stderr, result.stderr[-2000:]


def test_manage_py_runs_the_embedded_local_settings() -> None:
    show = "from django.conf import settings; print(settings.SETTINGS_MODULE)"
    result = run_python("", "manage.py", "shell", "-c", show)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "config.settings.local"


def test_production_settings_refuse_to_start_without_secrets() -> None:
    production = {"DJANGO_SETTINGS_MODULE": "config.settings.production"}
    result = run_python("import django; django.setup()", **production)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    production.update(
        DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="market.example", DATABASE_URL="sqlite:///tmp.db"
    )
    result = run_python("import django; django.setup()", **production)
    assert result.returncode != 0 and "PostgreSQL" in result.stderr
    production.update(DATABASE_URL="postgres://u@db.example/ichiba", REDIS_URL="redis://cache.example:6379/0")
    result = run_python("import django; django.setup()", **production)
    assert result.returncode != 0 and "ICHIBA_JWT_PRIVATE_KEY" in result.stderr
