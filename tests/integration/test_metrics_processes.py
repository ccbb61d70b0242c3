"""Metrics across processes (config/metrics.py, run by CI): a gunicorn of two worker processes sharing a metrics
folder answers, from either worker, the requests both served, and still after one of them is replaced, only to
the token's bearer when there is one; the worker pools started by ``manage.py workers`` count the settlement steps
they run, served on their own port; a Celery worker counts the validations and webhook attempts it runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from prometheus_client.multiprocess import MultiProcessCollector

from catalog.models import DatasetVersion
from config import metrics
from settlement.models import WebhookDelivery
from settlement.services.webhooks import webhook_endpoint_create
from tests.builders import make_party, metric_samples, metric_total, principal
from tests.fixtures import free_port, require_postgres, require_redis
from tests.integration.servers import START_SECONDS, WebServer, require_gunicorn
from tests.integration.workers import buy, market, start_worker, status_of, stop_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
HISTOGRAM = "ichiba_http_request_duration_seconds_count"


def _environment(**extra: str) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "ICHIBA_TEST_DATA_DIR": str(settings.MEDIA_ROOT),
        "ICHIBA_PAYMENT_PROVIDER": "offline",
        "ICHIBA_LOG_LEVEL": "WARNING",
        **extra,
    }


def _get(url: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback URLs built here
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _listening(port: int) -> bool:
    try:
        return _get(f"http://127.0.0.1:{port}/metrics")[0] == 200
    except urllib.error.URLError:
        return False


def _served(text: bytes) -> float:
    """Requests counted, but for WebServer's start-up probes (a path under /api/ that no endpoint has, so
    ``<unmatched>``: their count depends on how many waited in the listen queue while the workers were starting)."""
    return sum(
        value
        for name, labels, value in metric_samples(text)
        if name == HISTOGRAM and labels["route"] != metrics.UNMATCHED
    )


def _requests_by_process(directory: Path) -> dict[str, float]:
    """The load's requests each process's own file counts (every process has a file from its start, since a
    histogram without labels is created at import: the files alone do not say who served)."""
    counts = {}
    for path in directory.glob("histogram_*.db"):
        merged = MultiProcessCollector.merge([str(path)], accumulate=True)
        counts[path.stem.split("_")[-1]] = sum(
            sample.value
            for family in merged
            for sample in family.samples
            if sample.name == HISTOGRAM and sample.labels["route"] != metrics.UNMATCHED  # as _served
        )
    return counts


def _worker_pids(master: int) -> set[int]:
    children: set[int] = set()
    for task in Path(f"/proc/{master}/task").iterdir():
        children.update(int(pid) for pid in (task / "children").read_text().split())
    return children


def _stale_counts(directory: Path) -> None:
    """Counts an earlier run left in the folder (a real file of prometheus-client's, from another process)."""
    code = (
        "from prometheus_client import Histogram\n"
        "Histogram('ichiba_http_request_duration_seconds', '', ['route', 'method', 'status'])"
        ".labels('stale', 'GET', '200').observe(1)\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert list(directory.glob("histogram_*.db"))


def test_two_gunicorn_workers_report_every_request_they_served(tmp_path: Path) -> None:
    require_postgres()
    require_gunicorn()
    directory = tmp_path / "metrics"
    directory.mkdir()
    _stale_counts(directory)
    web = WebServer(_environment(PROMETHEUS_MULTIPROC_DIR=str(directory)), tmp_path / "gunicorn.log", workers=2)
    web.start()
    try:
        assert web.process is not None
        _, before = _get(f"{web.url}/metrics")
        assert metric_total(before, HISTOGRAM, route="stale") == 0  # the folder was emptied at the start
        assert _served(before) == 0

        def load(paths: list[str]) -> list[int]:
            """``paths`` requested by 8 clients at once, so that both sync workers serve."""
            statuses: list[int] = []

            def client(share: list[str]) -> None:
                for path in share:
                    statuses.append(_get(f"{web.url}{path}")[0])

            threads = [threading.Thread(target=client, args=(paths[i::8],)) for i in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            return statuses

        # The server answers as soon as one worker has loaded the application: wait until both have served.
        deadline = time.monotonic() + START_SECONDS
        while len([count for count in _requests_by_process(directory).values() if count]) < 2:
            assert time.monotonic() < deadline, f"one worker serves all: {_requests_by_process(directory)}"
            load(["/healthz"] * 16)
        _, warm = _get(f"{web.url}/metrics")
        served = _served(warm)
        assert served == sum(_requests_by_process(directory).values())  # both workers' counts, from one worker

        statuses = load([f"/api/v1/orders/{uuid.uuid4()}" for _ in range(60)] + ["/healthz"] * 20)
        assert len(statuses) == 80 and 500 not in statuses, statuses
        status, text = _get(f"{web.url}/metrics")
        assert status == 200
        assert _served(text) == served + 80
        assert metric_total(text, HISTOGRAM, route="healthz", status="200") == served + 20
        route = "api/v1/orders/<str:order_id>"
        assert metric_total(text, HISTOGRAM, route=route, method="GET") == 60

        # A worker that exits is replaced; what it served stays counted.
        workers = _worker_pids(web.process.pid)
        assert len(workers) == 2
        os.kill(next(iter(workers)), signal.SIGTERM)
        deadline = time.monotonic() + 60
        while len(_worker_pids(web.process.pid) - workers) < 1 or len(_worker_pids(web.process.pid)) < 2:
            assert time.monotonic() < deadline, "gunicorn did not replace its worker"
            time.sleep(0.2)
        for _ in range(4):  # whichever worker answers, the sum is the same
            status, text = _get(f"{web.url}/metrics")
            assert status == 200
            assert _served(text) == served + 80
    finally:
        web.crash()


def test_gunicorns_metrics_are_closed_to_a_proxy_and_open_to_the_tokens_bearer(tmp_path: Path) -> None:
    require_postgres()
    require_gunicorn()
    token = "scrape-" + uuid.uuid4().hex
    web = WebServer(
        _environment(PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"), ICHIBA_METRICS_TOKEN=token),
        tmp_path / "gunicorn.log",
        workers=1,
    )
    web.start()
    try:
        assert _get(f"{web.url}/metrics")[0] == 404
        assert _get(f"{web.url}/metrics", Authorization="Bearer wrong")[0] == 404
        status, text = _get(f"{web.url}/metrics", Authorization=f"Bearer {token}", **{"X-Forwarded-For": "192.0.2.1"})
        assert status == 200 and b"ichiba_http_request_duration_seconds_count" in text
    finally:
        web.crash()


def test_the_worker_pools_count_what_they_settle_on_their_own_port(tmp_path: Path, on_broker: Any) -> None:
    require_redis()
    port = free_port()
    directory = tmp_path / "worker-metrics"
    command = [sys.executable, "manage.py", "workers", "--pool", "settlement", "--loglevel", "warning"]
    env = _environment(
        ICHIBA_WORKER_METRICS_PORT=str(port),
        ICHIBA_WORKER_CONCURRENCY_SETTLEMENT="2",
        ICHIBA_WORKER_METRICS_DIR=str(directory),
    )
    pools = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: _listening(port), what="the workers' metrics", process=pools)
        _, buyer, offering = market()
        settlement = buy(buyer, offering)
        wait_for(lambda: status_of(settlement) == "authorized", what="authorisation on the pool", process=pools)
        status, text = _get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert metric_total(text, "ichiba_settlement_transitions_total", status="authorized") == 1
        assert metric_total(text, "ichiba_settlement_lag_seconds_count") == 1
        # The order was placed here, in the "web" process (this test), not on the pool.
        assert metric_total(text, "ichiba_orders_placed_total") == 0
        assert b"ichiba_celery_queue_length" not in text  # the web's /metrics reports the queues
    finally:
        pools.send_signal(signal.SIGTERM)
        try:
            pools.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pools.kill()
            pools.wait()


def test_a_worker_counts_the_validation_and_the_webhook_it_runs(tmp_path: Path, on_broker: Any, workers: Any) -> None:
    directory = tmp_path / "worker-metrics"
    directory.mkdir()
    # One attempt allowed: the delivery to a port nobody listens on fails for good at its first try.
    env = {
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "ICHIBA_WORKER_METRICS_DIR": "",
        "ICHIBA_WEBHOOK_MAX_ATTEMPTS": "1",
    }
    worker = start_worker(queues="validation,profiling,webhooks,default", name="metrics", env=env)
    workers.append(worker)
    seller = make_party("Metrics Seller", {"seller"})
    webhook_endpoint_create(
        principal=principal(seller), url=f"http://127.0.0.1:{free_port()}/hooks", events=["dataset.version_published"]
    )
    dataset = seller.client.post(
        "/api/v1/datasets", {"title": "Gauges", "data_class": "iot", "category": "infrastructure"}, format="json"
    ).json()
    content = ("timestamp,value\n" + "".join(f"2024-01-01T00:{i:02d}:00+09:00,{i}\n" for i in range(12))).encode()
    upload = seller.client.post(
        f"/api/v1/datasets/{dataset['id']}/versions", {"file": SimpleUploadedFile("d.csv", content)}, format="multipart"
    )
    assert upload.status_code == 202, upload.content
    version = DatasetVersion.objects.get(dataset_id=dataset["id"])
    wait_for(
        lambda: DatasetVersion.objects.get(pk=version.pk).status == DatasetVersion.Status.PUBLISHED,
        what="validation on the worker",
        process=worker,
    )
    wait_for(
        lambda: WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED).exists(),
        what="the webhook's attempt on the worker",
        process=worker,
    )
    stop_worker(worker)  # its counts stay in the folder
    text = metrics.exposition(directory=str(directory), queues=False)
    assert metric_total(text, "ichiba_validations_total", format="csv", outcome="passed") == 1
    assert metric_total(text, "ichiba_validation_bytes_total", format="csv") == len(content)
    assert metric_total(text, "ichiba_validation_rows_total", format="csv") == 12
    assert metric_total(text, "ichiba_validation_duration_seconds_count", format="csv") == 1
    assert metric_total(text, "ichiba_webhook_attempts_total", result="error") == 1
    assert metric_total(text, "ichiba_webhook_deliveries_total", status="failed") == 1
