from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WORK = Path(os.environ.get("ICHIBA_BENCH_DIR", ROOT / "var" / "bench"))


def emit(**figure: Any) -> None:
    print(json.dumps(figure, ensure_ascii=False), flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the high-water mark of the process's resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def gunicorn_start(options: list[str], *, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``gunicorn config.wsgi:application`` on a free loopback port with ``options``; its output appended to
    ``log``. Returns once it listens (or kills it and raises)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", *options]
    with log.open("ab") as stream:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stream, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=60)
    except RuntimeError:
        process.kill()
        raise
    return process, port


def process_stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def postgres_cpu_by_pid() -> dict[int, float]:
    """User + system CPU seconds of each PostgreSQL process alive now (backends come and go: per pid)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, _, rest = text.partition(") ")
        if name.endswith("(postgres"):
            fields = rest.split()
            found[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def redis_problem(redis_url: str) -> str:
    """Why a bench that needs its own Redis database cannot run ("" when it can)."""
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.exceptions.RedisError as exc:
        return f"needs Redis at {redis_url}: {exc}"
    return ""


def worker_environment(*, database_url: str, redis_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of a bench's processes that publish to and run real Celery workers on ``redis_url``: a Redis
    database of the bench's own, so the plain queue names (no ``ICHIBA_CELERY_QUEUE_PREFIX``), as its workers
    consume them; the offline payment provider; errors only in the logs."""
    return {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "ICHIBA_DATA_DIR": str(data_dir),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "ICHIBA_CELERY_QUEUE_PREFIX": "",
        "ICHIBA_PAYMENT_PROVIDER": "offline",
        "ICHIBA_LOG_LEVEL": "ERROR",
    }


def ran_in_fresh_interpreter(module: str) -> bool:
    """When Django is already set up in this process (an earlier benchmark of the same ``make bench`` pointed it
    at its own database, and settings load once), run ``tests.bench.<module>.run()`` in a new interpreter
    instead; True if it did."""
    from django.conf import settings

    if not settings.configured:
        return False
    sys.stdout.flush()
    subprocess.run([sys.executable, "-c", f"from tests.bench import {module}; {module}.run()"], cwd=ROOT, check=True)
    return True


def django_on_own_database(database_url: str, *, bench: str) -> bool:
    """Set Django up in this process on the bench's own PostgreSQL database (created if missing, migrated), with the
    local settings, no debug and no Redis; False (and a ``skipped`` figure for ``bench``) without PostgreSQL. Django's
    settings load once per process: a bench run after another one that set Django up calls
    ``ran_in_fresh_interpreter`` first."""
    import psycopg

    server = database_url.rsplit("/", 1)[0] + "/postgres"
    try:
        psycopg.connect(server, autocommit=True, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        emit(bench=bench, skipped=f"needs PostgreSQL at {database_url}: {exc}".strip())
        return False
    with psycopg.connect(server, autocommit=True) as conn:
        name = database_url.rsplit("/", 1)[1]
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    return True


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value at ``fraction`` (0..1) of the sorted ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def catalog_rows(
    entry: dict[str, Any], *, seller: Any, index: int, created: Any, time_range: Any = None
) -> tuple[Any, Any]:
    """A published dataset of ``demo.data.generate_catalog_entries``' ``entry`` and its one published version, unsaved
    (for ``bulk_create``): the catalog benches' datasets. Django must be set up."""
    import hashlib
    import uuid

    from catalog import search
    from catalog.models import Dataset, DatasetVersion

    dataset = Dataset(
        id=uuid.uuid4(),
        seller=seller,
        title=entry["title"],
        description=entry["description"],
        data_class=entry["data_class"],
        category=entry["category"],
        region=entry.get("region", ""),
        update_frequency=entry.get("update_frequency", "once"),
        anonymization=entry.get("anonymization") or {},
        status=Dataset.Status.PUBLISHED,
        published_at=created,
        search_text=search.document_tokens(entry["title"], entry["description"]),
        search_title=search.title_tokens(entry["title"]),
    )
    version = DatasetVersion(
        dataset_id=dataset.id,
        number=1,
        status=DatasetVersion.Status.PUBLISHED,
        file=f"{dataset.id}/v1-bench.csv",
        file_format="csv",
        original_filename="data.csv",
        size_bytes=1000 + index,
        sha256=hashlib.sha256(str(dataset.id).encode()).hexdigest(),
        row_count=100,
        time_range=time_range,
        validated_at=created,
    )
    return dataset, version
