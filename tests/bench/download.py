"""Hosted download of a 1 GB file through ``GET /api/v1/downloads/<token>`` (gunicorn), beside a plain read of it.

Own database ``ichiba_bench_download`` on ``ICHIBA_BENCH_PG`` (dropped, created, migrated each run; without
PostgreSQL or gunicorn one ``skipped`` figure). The file is ``var/bench/strain-1g.csv``, the CSV the upload bench
generates (generated here if missing, same generator); its SHA-256 is cached beside it
(``strain-1g.csv.sha256``, keyed by size and mtime).

Setup, in this process (untimed): ``matching.build_market`` with one seller, one buyer and one
offering whose dataset has a small validated version; that version's row is then pointed at the gigabyte (the
file hard-linked, else copied, into the datasets storage folder; ``size_bytes`` and ``sha256`` set to the big
file's) instead of uploading and validating 1 GB, which the upload bench measures and which takes minutes. The
buyer saves ``pm_card_visa`` and buys a seat from the seller's unlimited ask; the trade's settlement is
authorised by calling ``settlement_authorize`` here (the pipeline's task, run in-process) and grants the
entitlement; download tokens are minted by ``token_issue``.

The server: ``gunicorn config.wsgi:application`` with ``ICHIBA_BENCH_DOWNLOAD_SERVER`` (``gthread:2x12``: 2
workers of 12 threads, so 20 downloads run at once), PostgreSQL, ``CELERY_TASK_ALWAYS_EAGER=false`` and no
broker (in-memory): the capture a first full download enqueues stays queued, so its checksum pass over the
gigabyte never competes with the downloads being measured. Ranged requests (1 MiB), in batches of 4, warm the
workers first, until every worker has served one (``warmup_batches``, ``workers_warm``; at most 10 batches).

The client: ``requests`` streaming with ``iter_content`` in 1 MiB chunks, bytes discarded, only counted; every
download must answer 200 with exactly the file's size. One more download, untimed, hashes what it receives and
compares with the file's SHA-256.

* ``settlement.download``: the file is read once first (untimed) so the page cache holds it for both sides: the
  plain read and the download then both read from memory, and the ratio isolates the HTTP path's cost. Then
  ``ICHIBA_BENCH_DOWNLOAD_ROUNDS`` (5) rounds, each timing back to back: the plain read (1 MiB ``read`` calls),
  the transport alone, twice (no HTTP: the file moved over a loopback TCP socket from a thread of this process
  to a ``recv_into`` loop on a 1 MiB buffer, once ``os.sendfile``d, once read in 1 MiB ``read`` calls each
  ``sendall``ed, which is what the download view does minus HTTP) and one download. ``mb_per_s``,
  ``reference_mb_per_s``, ``loopback_sendfile_mb_per_s`` and ``loopback_send_mb_per_s`` are bytes / summed
  seconds; ``ratio_to_reference`` (target >= 0.5), ``ratio_to_loopback`` (sendfile) and
  ``ratio_to_loopback_send`` are the medians of the rounds' ratios (a gigabyte takes a fraction of a second
  here: one neighbour's burst of load would swing a single round). Neither loopback figure is a hard ceiling
  (on a Linux VM sendfile measured slower than read + send over loopback); they show how much of the gap to
  the plain read the transport alone already costs.
  ``server_peak_rss_mb`` is the largest VmHWM (high-water mark) of the gunicorn processes after the downloads,
  ``server_peak_rss_before_mb`` the same after the warm-up; flat = grew by less than 50 MB.
* ``settlement.download_concurrent``: 20 downloads at once (threads, one token each): aggregate MB/s (all bytes /
  first start to last end), per download MB/s min/median, every byte received, server peak RSS after.

MB = 10^6 bytes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench.common import WORK, emit, gunicorn_start, peak_rss_mb, process_stop
from tests.bench.matching import (
    CROSSING_BID_PRICE,
    UNLIMITED_ASK_PRICE,
    build_market,
    ran_in_fresh_interpreter,
    recreate_database,
    setup_django,
)
from tests.bench.upload import _generate

DATABASE = "ichiba_bench_download"
SERVER = os.environ.get("ICHIBA_BENCH_DOWNLOAD_SERVER", "gthread:2x12")
CONCURRENT = int(os.environ.get("ICHIBA_BENCH_DOWNLOAD_CONCURRENT", 20))
ROUNDS = int(os.environ.get("ICHIBA_BENCH_DOWNLOAD_ROUNDS", 5))
CHUNK = 1 << 20
TARGET_RATIO = 0.5
WARMUP_BATCH = 4  # concurrent ranged requests per warm-up batch
WARMUP_BATCHES = 10  # at most
WARM_RSS_SHARE = 0.8
FLAT_MB = 50.0
BENCH = "settlement.download"


# --- the file ---------------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    """The file's SHA-256, cached beside it (keyed by size and mtime: a regenerated file is hashed again)."""
    stat = path.stat()
    key = f"{stat.st_size}:{stat.st_mtime_ns}"
    cache = path.with_name(path.name + ".sha256")
    if cache.exists():
        cached_key, _, digest = cache.read_text().strip().partition(" ")
        if cached_key == key and len(digest) == 64:
            return digest
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            hasher.update(chunk)
    cache.write_text(f"{key} {hasher.hexdigest()}\n")
    return hasher.hexdigest()


def _plain_read(path: Path) -> float:
    """Seconds to read the whole file in 1 MiB ``read`` calls, bytes discarded (what the view does, minus HTTP)."""
    began = time.perf_counter()
    with path.open("rb") as stream:
        while stream.read(CHUNK):
            pass
    return time.perf_counter() - began


def _loopback_copy(path: Path, *, sendfile: bool = True) -> float:
    """Seconds to move the file over loopback TCP with no HTTP: a thread sends it (``os.sendfile``, or 1 MiB
    ``read`` calls each ``sendall``ed as the download view's stream does), this thread ``recv_into``s a 1 MiB
    buffer (what the transport alone costs on this machine, for comparison)."""
    size = path.stat().st_size
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve() -> None:
            connection, _ = listener.accept()
            with connection, path.open("rb") as stream:
                if not sendfile:
                    while chunk := stream.read(CHUNK):
                        connection.sendall(chunk)
                    return
                sent = 0
                while sent < size:
                    sent += os.sendfile(connection.fileno(), stream.fileno(), sent, size - sent)

        sender = threading.Thread(target=serve)
        buffer = memoryview(bytearray(CHUNK))
        received = 0
        began = time.perf_counter()
        sender.start()
        with socket.create_connection(("127.0.0.1", port)) as client:
            while received < size:
                n = client.recv_into(buffer)
                if not n:
                    break
                received += n
        seconds = time.perf_counter() - began
        sender.join()
    assert received == size, (received, size)
    return seconds


# --- the market -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    tokens: list[str]
    size: int
    sha256: str


def _setup(path: Path, *, tokens: int) -> Setup:
    from django.core.files.storage import storages

    from catalog.models import DatasetVersion
    from marketplace.hooks import save_payment_method
    from marketplace.models import Offering
    from marketplace.services.orders import order_place
    from settlement.models import Entitlement, Settlement
    from settlement.services.delivery import token_issue
    from settlement.services.settlements import settlement_authorize

    market = build_market(offerings=1, sellers=1, buyers=1)
    book, buyer = market.books[0], market.buyers[0]
    dataset_id = Offering.objects.values_list("dataset_id", flat=True).get(pk=book.offering_id)
    version = DatasetVersion.objects.get(dataset_id=dataset_id, status=DatasetVersion.Status.PUBLISHED)
    # Stand-in for uploading and validating the gigabyte (the upload bench's subject; minutes here): the
    # published version's row points at the big file, placed where the datasets storage keeps files.
    storage = storages["datasets"]
    name = f"{version.dataset_id}/v{version.number}-bench-1g.csv"
    target = Path(storage.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(path, target)
    except OSError:  # another filesystem: a copy
        shutil.copyfile(path, target)
    size, digest = path.stat().st_size, _sha256(path)
    DatasetVersion.objects.filter(pk=version.pk).update(file=name, size_bytes=size, sha256=digest)

    save_payment_method(organization_id=buyer.organization_id, payment_method="pm_card_visa")
    order_place(
        principal=book.seller, offering_id=book.offering_id, side="sell", price=UNLIMITED_ASK_PRICE, quantity=None
    )
    placed = order_place(
        principal=buyer,
        offering_id=book.offering_id,
        side="buy",
        price=CROSSING_BID_PRICE,
        quantity=1,
        accepted_terms_sha256=book.terms_sha256,
    )
    assert len(placed.trades) == 1
    # The pipeline's first step, run here (``setup_django`` leaves tasks queued in Celery's in-memory broker,
    # never run): authorising the trade's settlement grants the entitlement.
    settlement = Settlement.objects.get(trade_id=placed.trades[0].id)
    settlement_authorize(settlement_id=settlement.id)
    entitlement = Entitlement.objects.get(settlement_id=settlement.id, status=Entitlement.Status.ACTIVE)
    issued = [token_issue(principal=buyer, entitlement_id=entitlement.id).token for _ in range(tokens)]
    return Setup(tokens=issued, size=size, sha256=digest)


# --- the server -------------------------------------------------------------------------------------------------


def _start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    kind, _, shape = SERVER.partition(":")
    workers, _, threads = shape.partition("x")
    options = ["--workers", workers or "2", "--worker-class", kind, "--timeout", "300", "--log-level", "warning"]
    if kind == "gthread":
        options += ["--threads", threads or "12"]
    return gunicorn_start(options, env=env, log=log)


def _server_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid, *(int(p) for p in children.read_text().split())] if children.exists() else [pid]


def _workers_warm(pid: int) -> bool:
    """Every worker has served a request: its peak RSS is within 80% of the largest worker's (a worker that
    has only booted has not loaded the URLconf, the views and DRF yet)."""
    peaks = [peak_rss_mb(p) for p in _server_pids(pid)[1:]]
    return bool(peaks) and min(peaks) >= WARM_RSS_SHARE * max(peaks)


def _server_peak_rss(pid: int) -> float:
    """The largest VmHWM among gunicorn's master and workers (each worker serves its own downloads)."""
    return max(peak_rss_mb(p) for p in _server_pids(pid))


# --- the client -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    status: int
    received: int
    seconds: float
    started: float  # time.perf_counter()
    ended: float


def _download(
    url: str, *, headers: dict[str, str] | None = None, sink: Callable[[bytes], Any] | None = None
) -> Fetched:
    import requests

    began = time.perf_counter()
    received = 0
    with requests.get(url, stream=True, timeout=300, headers=headers or {}) as response:
        for chunk in response.iter_content(chunk_size=CHUNK):
            received += len(chunk)
            if sink is not None:
                sink(chunk)
        status = response.status_code
    ended = time.perf_counter()
    return Fetched(status=status, received=received, seconds=ended - began, started=began, ended=ended)


def _mb_per_s(size: int, seconds: float) -> float:
    return round(size / 1e6 / seconds, 1) if seconds > 0 else 0.0


# --- the benchmark ----------------------------------------------------------------------------------------------


def run() -> None:
    if ran_in_fresh_interpreter("download"):
        return
    if importlib.util.find_spec("gunicorn") is None:
        emit(bench=BENCH, skipped='needs gunicorn: pip install "gunicorn>=23,<24"')
        return
    url = recreate_database(DATABASE, bench=BENCH)
    if url is None:
        return
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "strain-1g.csv"
    _generate(path)
    data_dir = WORK / "download-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(url, str(data_dir))
    try:
        _run(url, path, data_dir)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(db_url: str, path: Path, data_dir: Path) -> None:
    from django.db import connections

    warmups = WARMUP_BATCH * WARMUP_BATCHES
    setup = _setup(path, tokens=ROUNDS + 1 + CONCURRENT + warmups)
    tokens = iter(setup.tokens)
    connections.close_all()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": db_url,
        "ICHIBA_DATA_DIR": str(data_dir),
        "CELERY_TASK_ALWAYS_EAGER": "false",  # no REDIS_URL: the in-memory broker; the capture stays queued
        "ICHIBA_LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    log = WORK / "download-gunicorn.log"
    log.unlink(missing_ok=True)
    process, port = _start_server(env, log)
    base = f"http://127.0.0.1:{port}/api/v1/downloads/"
    try:
        # Warm-up: every worker imports, connects and serves a first (ranged, 1 MiB) download. One batch often
        # lands on one worker only (the other then loads Django during a measured download: ~0.6 s more), so
        # batches repeat until every worker's peak RSS is near the largest (served: ~135 MB; never: ~80 MB).
        warm: list[Fetched] = []
        warmup_batches = 0
        with ThreadPoolExecutor(WARMUP_BATCH) as pool:
            while warmup_batches < WARMUP_BATCHES:
                warm += pool.map(
                    lambda token: _download(base + token, headers={"Range": f"bytes=0-{CHUNK - 1}"}),
                    [next(tokens) for _ in range(WARMUP_BATCH)],
                )
                warmup_batches += 1
                if _workers_warm(process.pid):
                    break
        rss_before = _server_peak_rss(process.pid)
        workers_warm = _workers_warm(process.pid)

        _plain_read(path)  # the page cache now holds the file for both sides
        plain: list[float] = []
        loopback: list[float] = []
        loopback_send: list[float] = []
        fetched: list[Fetched] = []
        for _ in range(ROUNDS):
            plain.append(_plain_read(path))
            loopback.append(_loopback_copy(path))
            loopback_send.append(_loopback_copy(path, sendfile=False))
            fetched.append(_download(base + next(tokens)))
        rss_single = _server_peak_rss(process.pid)

        hasher = hashlib.sha256()
        checked = _download(base + next(tokens), sink=hasher.update)  # untimed: the bytes are the file's
        sha_ok = checked.status == 200 and checked.received == setup.size and hasher.hexdigest() == setup.sha256

        many = [next(tokens) for _ in range(CONCURRENT)]
        with ThreadPoolExecutor(CONCURRENT) as pool:
            concurrent = list(pool.map(lambda token: _download(base + token), many))
        rss_concurrent = _server_peak_rss(process.pid)
        rss_all = sum(peak_rss_mb(p) for p in _server_pids(process.pid))
    finally:
        process_stop(process)

    all_ok = all(f.status == 200 and f.received == setup.size for f in fetched)
    download_s, plain_s, loopback_s = sum(f.seconds for f in fetched), sum(plain), sum(loopback)
    mb_s = _mb_per_s(setup.size * ROUNDS, download_s)
    reference = _mb_per_s(setup.size * ROUNDS, plain_s)
    # Per round (the three timed back to back), then the median: robust to a neighbour's burst of load.
    ratio = round(statistics.median(p / f.seconds for p, f in zip(plain, fetched, strict=True)), 3)
    ratio_loopback = round(statistics.median(c / f.seconds for c, f in zip(loopback, fetched, strict=True)), 3)
    ratio_send = round(statistics.median(c / f.seconds for c, f in zip(loopback_send, fetched, strict=True)), 3)
    emit(
        bench=BENCH,
        server=SERVER,
        bytes=setup.size,
        rounds=ROUNDS,
        mb_per_s=mb_s,
        seconds=[round(f.seconds, 2) for f in fetched],
        reference="plain read of the same file, 1 MiB reads, warm page cache (read once first)",
        reference_mb_per_s=reference,
        ratio_to_reference=ratio,
        target_ratio=TARGET_RATIO,
        loopback_sendfile_mb_per_s=_mb_per_s(setup.size * ROUNDS, loopback_s),
        ratio_to_loopback=ratio_loopback,
        loopback_send_mb_per_s=_mb_per_s(setup.size * ROUNDS, sum(loopback_send)),
        ratio_to_loopback_send=ratio_send,
        all_bytes=all_ok,
        sha256_ok=sha_ok,
        warmup_statuses=sorted({w.status for w in warm}),
        warmup_batches=warmup_batches,
        workers_warm=workers_warm,
        server_peak_rss_before_mb=round(rss_before, 1),
        server_peak_rss_mb=round(rss_single, 1),
        rss_growth_mb=round(rss_single - rss_before, 1),
        rss_flat=rss_single - rss_before < FLAT_MB,
        meets_target=ratio >= TARGET_RATIO and all_ok and sha_ok and rss_single - rss_before < FLAT_MB,
    )
    window = max(f.ended for f in concurrent) - min(f.started for f in concurrent)
    each = [setup.size / 1e6 / f.seconds for f in concurrent]
    every_byte = all(f.status == 200 and f.received == setup.size for f in concurrent)
    emit(
        bench=f"{BENCH}_concurrent",
        server=SERVER,
        downloads=CONCURRENT,
        bytes_each=setup.size,
        all_bytes=every_byte,
        statuses=sorted({f.status for f in concurrent}),
        aggregate_mb_per_s=_mb_per_s(sum(f.received for f in concurrent), window),
        seconds=round(window, 2),
        per_download_mb_per_s_min=round(min(each), 1),
        per_download_mb_per_s_median=round(statistics.median(each), 1),
        reference_mb_per_s=reference,
        aggregate_ratio_to_reference=round(sum(f.received for f in concurrent) / 1e6 / window / reference, 3)
        if reference
        else None,
        server_peak_rss_before_mb=round(rss_before, 1),
        server_peak_rss_mb=round(rss_concurrent, 1),
        server_peak_rss_sum_mb=round(rss_all, 1),
        rss_growth_mb=round(rss_concurrent - rss_before, 1),
        rss_flat=rss_concurrent - rss_before < FLAT_MB,
        meets_target=every_byte and rss_concurrent - rss_before < FLAT_MB,
    )
