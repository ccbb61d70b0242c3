"""Real Celery workers for integration tests (a subprocess on the test's PostgreSQL database and Redis), threads
released at once to race, and a market whose trades settle on a worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from settlement.models import Settlement
from settlement.services import settlements
from tests.builders import make_party

ROOT = Path(__file__).resolve().parents[2]
QUEUES = "settlement,webhooks,default"


def start_worker(
    *, queues: str, name: str, env: dict[str, str] | None = None, log: Path | None = None, loglevel: str = "warning"
) -> subprocess.Popen[str]:
    """A solo-pool worker consuming ``queues`` (comma-separated), with extra environment settings, logging at
    ``loglevel``: its lines go to the returned process's output (read by ``stop_worker``), or are appended to
    ``log`` (a worker logging every task fills a pipe nobody reads), or to ``ICHIBA_LOG_FILE`` when ``env`` sets
    it."""
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
    command += ["-l", loglevel, "-n", f"{name}-{os.getpid()}-{time.monotonic_ns()}@%h"]
    if log is None:
        return subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    with log.open("a") as stream:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=stream, stderr=subprocess.STDOUT, text=True)


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


def race(workers: int, action: Callable[[int], Any]) -> list[Any]:
    """Run ``action(i)`` in ``workers`` threads released at once; returns results or exceptions."""
    barrier = threading.Barrier(workers)
    results: list[Any] = [None] * workers

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = action(index)
        except Exception as exc:  # reported to the test, which asserts on it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


# --- a market to settle on a worker ------------------------------------------------------------------------


def market(
    *, seller: Any = None, buyer: Any = None, seats: int | None = None, ask: int | None = None
) -> tuple[Any, Any, dict[str, Any]]:
    """A seller's offering (``seats`` licence seats, None: unlimited) on a validated dataset, with the seller's
    ask at 1000 for ``ask`` seats (None: unlimited; 0: no ask), and a buyer paying with pm_card_visa."""
    from catalog.models import DatasetVersion
    from catalog.services.versions import version_validate

    seller = seller or make_party("Fault Seller", {"seller"})
    buyer = buyer or make_party("Fault Buyer", {"buyer"})
    dataset = seller.client.post(
        "/api/v1/datasets", {"title": "Gauges", "data_class": "iot", "category": "infrastructure"}, format="json"
    ).json()
    lines = ["timestamp,value"] + [f"2024-01-01T00:{i:02d}:00+09:00,{i}" for i in range(10)]
    seller.client.post(
        f"/api/v1/datasets/{dataset['id']}/versions",
        {"file": SimpleUploadedFile("d.csv", ("\n".join(lines) + "\n").encode())},
        format="multipart",
    )
    version_validate(version_id=DatasetVersion.objects.get(dataset_id=dataset["id"]).id)
    offering = seller.client.post(
        "/api/v1/offerings",
        {"dataset": dataset["id"], "template": "meti-data-provision", "terms": {}, "license_seats": seats},
        format="json",
    ).json()
    if ask != 0:
        order = {"offering": offering["id"], "side": "sell", "quantity": ask, "price": 1000}
        assert seller.client.post("/api/v1/orders", order, format="json").status_code == 201
    return seller, buyer, offering


def buy(buyer: Any, offering: dict[str, Any]) -> Settlement:
    bid = {
        "offering": offering["id"],
        "side": "buy",
        "quantity": 1,
        "price": 1000,
        "accepted_terms_sha256": offering["terms_sha256"],
    }
    response = buyer.client.post("/api/v1/orders", bid, format="json")
    assert response.status_code == 201, response.content
    [trade] = response.json()["trades"]
    return Settlement.objects.get(trade_id=trade["id"])


def status_of(settlement: Settlement) -> str:
    return Settlement.objects.values_list("status", flat=True).get(pk=settlement.pk)


def sweep_as_if_later(seconds: int = 3600) -> None:
    settlements.settlements_sweep(now=timezone.now() + timedelta(seconds=seconds))
