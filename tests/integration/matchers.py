"""Matchers for integration tests: the shards' matchers (``marketplace.matching.matcher``) on the test's PostgreSQL
database and Redis, as threads of the test process (each with its own connection) or as processes
(``manage.py run_matcher``), under a key prefix of their own so runs sharing a Redis never meet."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from marketplace.matching import streams
from marketplace.matching.matcher import Matcher
from tests.fixtures import require_postgres, require_redis
from tests.integration.workers import ROOT


@contextmanager
def streams_mode(django_settings: Any, *, shards: int = 2, reply_timeout: float = 10.0) -> Iterator[str]:
    """Orders go to matchers (``ICHIBA_MATCHERS=streams``) under a fresh key prefix, which this yields; the
    prefix's keys are deleted afterwards."""
    require_postgres()
    require_redis()
    prefix = f"test-{uuid.uuid4().hex[:10]}-"
    django_settings.ICHIBA = {
        **django_settings.ICHIBA,
        "MATCHERS": "streams",
        "MATCHER_SHARDS": shards,
        "MATCHER_KEY_PREFIX": prefix,
        "MATCHER_REPLY_TIMEOUT_SECONDS": reply_timeout,
    }
    try:
        yield prefix
    finally:
        redis_client = streams.client()
        keys = list(redis_client.scan_iter(match=f"{prefix}*"))
        if keys:
            redis_client.delete(*keys)


def _serve(matcher: Matcher) -> None:
    try:
        matcher.run()
    finally:
        connection.close()


@contextmanager
def matcher_threads(shards: int = 2, *, only: tuple[int, ...] | None = None) -> Iterator[list[Matcher]]:
    """A matcher per shard (or for the shards in ``only``), each in a thread, holding its shard when this yields."""
    matchers = [Matcher(shard) for shard in (only if only is not None else range(shards))]
    threads = [threading.Thread(target=_serve, args=(m,), daemon=True) for m in matchers]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 10
        while not all(m.stats.took_over_at for m in matchers):
            assert time.monotonic() < deadline, "a matcher never took its shard"
            assert all(t.is_alive() for t in threads), "a matcher thread died"
            time.sleep(0.01)
        yield matchers
    finally:
        for m in matchers:
            m.stop.set()
        for thread in threads:
            thread.join(timeout=10)


def start_matcher_process(
    shard: int, *, env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[str]:
    """``manage.py run_matcher --shard N`` on the test's database, Redis and matcher settings; its output goes to
    the returned process's pipe, or to ``log`` (a matcher logging every order fills a pipe nobody reads)."""
    db = connection.settings_dict
    ichiba = settings.ICHIBA
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "ICHIBA_MATCHERS": "streams",
        "ICHIBA_MATCHER_SHARDS": str(ichiba["MATCHER_SHARDS"]),
        "ICHIBA_MATCHER_KEY_PREFIX": ichiba["MATCHER_KEY_PREFIX"],
        "ICHIBA_TEST_DATA_DIR": str(settings.MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [sys.executable, "manage.py", "run_matcher", "--shard", str(shard)]
    if log is None:
        return subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    with log.open("a") as stream:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=stream, stderr=subprocess.STDOUT, text=True)
