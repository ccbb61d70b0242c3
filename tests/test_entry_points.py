"""Which settings each way of starting Ichiba runs: a server, worker or beat started on the deployment entry
points gets production settings unless told otherwise, so a forgotten ``DJANGO_SETTINGS_MODULE`` stops it with
the missing secret named instead of serving with DEBUG on, a known secret key and webhooks allowed to reach
private addresses; ``manage.py`` (``make run``) stays on the embedded local settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.builders import run_python
from tests.fixtures import free_port

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


@pytest.mark.parametrize(
    ("debug", "expected"),
    [(None, "False"), ("true", "True"), ("false", "False"), ("", "False")],
    ids=["unset", "true", "false", "empty"],
)
def test_debug_is_off_unless_an_explicit_setting_turns_it_on(debug: str | None, expected: str) -> None:
    """`make run` (manage.py, local settings) serves like production; only DJANGO_DEBUG=true shows debug pages."""
    show = "from django.conf import settings; print(settings.DEBUG)"
    result = run_python("", "manage.py", "shell", "-c", show, **({} if debug is None else {"DJANGO_DEBUG": debug}))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == expected


def _fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback URL built here
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_manage_py_serve_serves_the_css_and_the_sites_404_with_debug_off(tmp_path: Path) -> None:
    """What `make run` starts: the real server, its static files collected and served by WhiteNoise, the site's
    404 page instead of Django's debug page. (Its own database and data folders; static files are collected into
    the checkout's var/static, as `make run` does.)"""
    port = free_port()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "ICHIBA_", "STRIPE_", "DATABASE_", "REDIS_", "CELERY_"))
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        ICHIBA_DATA_DIR=str(tmp_path / "data"),
        ICHIBA_JWT_KEY_FILE=str(tmp_path / "delivery.pem"),
        CELERY_TASK_ALWAYS_EAGER="false",  # no in-process sweeps: they would read tables this database lacks
    )
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(  # runserver's autoreloader forks a child: its own session, to stop both
            [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    status, content_type, body = _fetch(f"{base}/static/ichiba/site.css")
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        pytest.fail(f"manage.py serve did not start: {log.read().decode()[-3000:]}")
                    time.sleep(0.25)
            assert status == 200 and content_type.startswith("text/css")
            assert body == (ROOT / "marketplace" / "static" / "ichiba" / "site.css").read_bytes()
            status, content_type, body = _fetch(f"{base}/no/such/page/")
            page = body.decode()
            assert status == 404 and content_type.startswith("text/html")
            assert "/static/ichiba/site.css" in page and 'class="site-header"' in page
            assert "Using the URLconf" not in page, "Django's debug 404 lists the URL patterns"
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
