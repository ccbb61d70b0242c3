"""Real Celery workers for integration tests: a subprocess on the test's PostgreSQL database and Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def start_worker(*, queues: str, name: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A solo-pool worker consuming ``queues`` (comma-separated), with extra environment settings."""
    db = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "ICHIBA_TEST_DATA_DIR": str(settings.MEDIA_ROOT),
        **(env or {}),
    }
    # This run's queues (config/settings/test.py prefixes them per run; the environment carries the prefix).
    prefixed = ",".join(f"{settings.CELERY_QUEUE_PREFIX}{queue}" for queue in queues.split(","))
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", prefixed, "-c", "1", "--pool", "solo"]
    command += ["-l", "warning", "-n", f"{name}-{os.getpid()}-{time.monotonic_ns()}@%h"]
    return subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def stop_worker(process: subprocess.Popen[str], *, kill: bool = False) -> str:
    """Stop a worker (SIGKILL when ``kill``: no cleanup, no acknowledgement) and return its output."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.stdout.read() if process.stdout else ""


def wait_for(
    condition: Callable[[], bool],
    *,
    timeout: float = 60,
    what: str = "condition",
    process: subprocess.Popen[str] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"worker died while waiting for {what}:\n{stop_worker(process)}")
        if time.monotonic() > deadline:
            output = stop_worker(process) if process is not None else ""
            raise AssertionError(f"timed out waiting for {what}\n{output[-4000:]}")
        time.sleep(0.1)


@contextmanager
def publishing_to_broker() -> Iterator[None]:
    """This process publishes tasks to the broker (as a web server does) instead of running them in-process.

    Celery reads Django settings through the ``CELERY_`` namespace, and the prefixed key wins over the plain
    ``task_always_eager``: setting the latter would silently leave tasks eager."""
    from config.celery import app

    eager = app.conf.CELERY_TASK_ALWAYS_EAGER
    app.conf.CELERY_TASK_ALWAYS_EAGER = False
    assert not app.conf.task_always_eager
    try:
        yield
    finally:
        app.conf.CELERY_TASK_ALWAYS_EAGER = eager


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Publish to ``url`` for a while (a dead port: the broker is down for this process)."""
    from config.celery import app

    def reconnect() -> None:  # drop the cached pools: the next publish connects to the current URL
        from kombu import pools

        app.pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        pools.reset()

    live = app.conf.CELERY_BROKER_URL
    app.conf.CELERY_BROKER_URL = url
    reconnect()
    try:
        yield
    finally:
        app.conf.CELERY_BROKER_URL = live
        reconnect()
