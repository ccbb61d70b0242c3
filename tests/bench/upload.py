"""Upload + validation of a generated 1 GB CSV through the API, beside ``sha256sum`` of the same file; then the
same rows as Parquet and as a Shift_JIS (cp932) CSV, each beside its own ``sha256sum``.

Each upload goes to a fresh server (Django's runserver) and a fresh Celery worker (solo pool, consuming the
validation queue over Redis: ``REDIS_URL``, a database of the bench's own, since the queue names are not prefixed),
both subprocesses whose peak RSS is read from /proc. The worker validates a CSV of 100 rows first (a worker runs
for days: the first validation's imports are not the upload's). The client streams the multipart body from disk,
then polls the version every 100 ms until validation has decided. ``seconds`` is that whole time, upload +
validation, as the issue counts it; ``upload_seconds`` the part until the 202. When the version reports a
``quality`` (the profile step that follows publication, on the profiling queue, which a second solo worker takes
as a deployment's profiling pool does), the time until it is filled is reported apart (``profile_seconds``), never
in ``seconds``. Without Redis the bench says so and runs Celery eagerly in the
server, as it used to (``mode``).

CPU seconds of the server (until the 202), the worker and ``sha256sum`` are reported too: on a shared machine the
wall-clock ratio moves with the neighbours' load, the CPU ratio much less.
"""

from __future__ import annotations

import http.client
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.bench.common import ROOT, WORK, emit, free_port, manage, peak_rss_mb, redis_problem, wait_for_port

SIZE = int(os.environ.get("ICHIBA_BENCH_UPLOAD_BYTES", 1024**3))
CHUNK = 1024 * 1024
POLL_S = 0.1


def _generate(path: Path) -> None:
    if path.exists() and path.stat().st_size >= SIZE:
        return
    from demo.data import generate_strain_csv

    with path.open("wb") as stream:
        generate_strain_csv(stream, target_bytes=SIZE)


def _sha256sum_seconds(path: Path) -> float:
    """Wall-clock seconds of ``sha256sum`` over the file (the profile bench's reference too)."""
    return _sha256sum_times(path)[0]


def _sha256sum_times(path: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``sha256sum`` over the file."""
    sha256sum = shutil.which("sha256sum")
    assert sha256sum is not None, "the baseline is coreutils' sha256sum"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sha256sum, str(path)], check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(") ")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_worker(env: dict[str, str], queue: str = "validation") -> subprocess.Popen[bytes]:
    """A solo-pool worker on one queue, returned once it is ready: the validation pool's (the one process that
    validates: its peak RSS is the validation's) or the profiling pool's, as a deployment runs them."""
    log = WORK / f"worker-{queue}.log"
    log.unlink(missing_ok=True)
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--pool", "solo"]
    command += ["-l", "info", "-n", f"bench-{queue}-{os.getpid()}@%h"]
    with log.open("ab") as stream:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stream, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while b" ready." not in log.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise RuntimeError(f"the bench's worker did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)
    return worker


def _as_parquet(csv_path: Path, path: Path) -> None:
    """The same rows as Parquet, written a batch at a time (typed: the timestamps as timestamps)."""
    if path.exists() and path.stat().st_mtime >= csv_path.stat().st_mtime:
        return
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    reader = pacsv.open_csv(csv_path, read_options=pacsv.ReadOptions(block_size=8 << 20))
    with pq.ParquetWriter(path, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)


def _as_cp932(csv_path: Path, path: Path) -> None:
    """The same rows as a Shift_JIS (cp932) CSV, as a Japanese spreadsheet exports it: the status in Japanese."""
    if path.exists() and path.stat().st_mtime >= csv_path.stat().st_mtime:
        return
    with csv_path.open(encoding="utf-8", newline="") as source, path.open("wb") as target:
        while text := source.read(CHUNK):
            target.write(text.replace(",ok\n", ",正常\n").encode("cp932"))


def _multipart(path: Path, boundary: str) -> tuple[int, Iterator[bytes]]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)

    def body() -> Iterator[bytes]:
        yield head
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
        yield tail

    return length, body()


def _upload(data: Path, env: dict[str, str], api_key: str, *, worker: bool) -> dict[str, object]:
    """One upload through a fresh server and worker (so their peak RSS are this upload's), timed to the decided
    version."""
    port = free_port()
    validator = _start_worker(env) if worker else None
    profiler = _start_worker(env, "profiling") if worker else None
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
        connection.request(
            "POST",
            "/api/v1/datasets",
            json.dumps({"title": f"Bench {data.name}", "data_class": "iot", "category": "infrastructure"}),
            headers,
        )
        dataset = json.loads(connection.getresponse().read())
        if validator is not None:
            # A worker runs for days: the first validation's imports (pyarrow, the validator) are not this upload's.
            warm = _send(connection, dataset["id"], _warm_up_file(data), headers["Authorization"])[1]
            _poll(connection, f"/api/v1/datasets/{dataset['id']}/versions/{warm.get('number')}", headers, _decided)
        processes = {"server_cpu_s": server.pid} | ({"worker_cpu_s": validator.pid} if validator is not None else {})
        cpu_before = {name: _cpu_seconds(pid) for name, pid in processes.items()}  # after start-up: the upload's own
        watch = _ValidationWatch(validator.pid) if validator is not None else None
        started = time.perf_counter()
        response, accepted = _send(connection, dataset["id"], data, headers["Authorization"])
        uploaded_s = time.perf_counter() - started  # eager: validation ran before the response
        # The server's CPU until the 202 (the polls that follow are the bench's, not the upload's).
        upload_cpu_s = _cpu_seconds(server.pid) - cpu_before["server_cpu_s"]
        location = f"/api/v1/datasets/{dataset['id']}/versions/{accepted.get('number')}"
        version = _poll(connection, location, headers, _decided)
        decided_s = time.perf_counter() - started
        server_rss = peak_rss_mb(server.pid)
        cpu = {"server_cpu_s": upload_cpu_s}
        worker_rss = 0.0
        if watch is not None:
            worker_rss, worker_cpu_s = watch.result()
            cpu["worker_cpu_s"] = worker_cpu_s - cpu_before["worker_cpu_s"]
        profile_s = None
        if "quality" in version and version.get("status") == "published":
            profiled = _poll(connection, location, headers, lambda v: v.get("quality") is not None, timeout=1800)
            profile_s = time.perf_counter() - started - decided_s if profiled.get("quality") is not None else None
    finally:
        server.terminate()
        server.wait(timeout=30)
        for process in (validator, profiler):
            if process is not None:
                process.kill()  # a profile step may still run, which a warm shutdown would wait for
                process.wait(timeout=30)
        shutil.rmtree(WORK / "data", ignore_errors=True)
    encoding = next((c["detail"] for c in version.get("checks", []) if c["name"] == "encoding"), None)
    return {
        "seconds": decided_s,
        "upload_seconds": round(uploaded_s, 2),
        "profile_seconds": round(profile_s, 2) if profile_s is not None else None,
        "status": version.get("status"),
        "rows": version.get("row_count"),
        "encoding": encoding,
        "peak_rss_mb": max(server_rss, worker_rss),
        "server_peak_rss_mb": round(server_rss, 1),
        "worker_peak_rss_mb": round(worker_rss, 1) if validator is not None else None,
        **{name: round(value, 2) for name, value in cpu.items()},
        "http_status": response.status,
    }


class _ValidationWatch:
    """The worker's peak RSS and its CPU seconds while it validates, sampled every 20 ms until its log says the
    validation task succeeded: the profile step that follows on the same worker (catalog.profile_version, queued
    when the version is published) is not the validation's."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._log = WORK / "worker-validation.log"
        self._before = self._log.read_bytes().count(b"catalog.validate_version[")
        self._peak, self._cpu = 0.0, 0.0
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _validated(self) -> bool:
        lines = [line for line in self._log.read_bytes().splitlines() if b"catalog.validate_version[" in line]
        return sum(b"succeeded" in line for line in lines) > sum(b"succeeded" in line for line in lines[: self._before])

    def _sample(self) -> None:
        while True:
            done = self._validated()
            status = Path(f"/proc/{self._pid}/status").read_text()
            rss = next(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
            self._peak, self._cpu = max(self._peak, rss), _cpu_seconds(self._pid)
            if done:
                return
            time.sleep(0.02)

    def result(self) -> tuple[float, float]:
        self._thread.join(timeout=60)
        return self._peak, self._cpu


def _warm_up_file(data: Path) -> Path:
    """A few rows of a CSV (the head of the generated one), to warm a fresh worker up with."""
    path = WORK / "warm-up.csv"
    if not path.exists():
        with (WORK / "strain-1g.csv").open("rb") as source:
            path.write_bytes(b"".join(source.readline() for _ in range(100)))
    return path


def _send(
    connection: http.client.HTTPConnection, dataset_id: str, data: Path, authorization: str
) -> tuple[http.client.HTTPResponse, dict[str, Any]]:
    """POST the file as a new version (multipart, streamed from disk): the response and its body."""
    boundary = uuid.uuid4().hex
    length, body = _multipart(data, boundary)
    connection.request(
        "POST",
        f"/api/v1/datasets/{dataset_id}/versions",
        body,
        {
            "Authorization": authorization,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
        },
    )
    response = connection.getresponse()
    return response, json.loads(response.read())


def _decided(version: dict[str, Any]) -> bool:
    return version.get("status") != "validating"


def _poll(
    connection: http.client.HTTPConnection,
    location: str,
    headers: dict[str, str],
    done: Callable[[dict[str, Any]], bool],
    *,
    timeout: float = 3600,
) -> dict[str, Any]:
    """GET the version every POLL_S until ``done(version)`` (or the timeout: the last answer)."""
    deadline = time.monotonic() + timeout
    while True:
        connection.request("GET", location, headers=headers)
        version: dict[str, Any] = json.loads(connection.getresponse().read())
        if done(version) or time.monotonic() > deadline:
            return version
        time.sleep(POLL_S)


def run() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    # Each run uploads fresh copies; the previous run's stored files and database go first.
    shutil.rmtree(WORK / "data", ignore_errors=True)
    (WORK / "bench.sqlite3").unlink(missing_ok=True)
    data = WORK / "strain-1g.csv"
    _generate(data)
    variants = [("csv", data), ("parquet", WORK / "strain-1g.parquet"), ("csv_cp932", WORK / "strain-1g-cp932.csv")]
    _as_parquet(data, variants[1][1])
    _as_cp932(data, variants[2][1])

    redis_url = os.environ.get("ICHIBA_BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"
    problem = redis_problem(redis_url)
    env: dict[str, str] = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "true" if problem else "false",
        "REDIS_URL": redis_url,
        "ICHIBA_CELERY_QUEUE_PREFIX": "",
        "ICHIBA_LOG_LEVEL": "ERROR",
        "ICHIBA_DATA_DIR": str(WORK / "data"),
        "ICHIBA_MAX_UPLOAD_BYTES": str(SIZE * 2),
    }
    mode = "eager (no Redis: " + problem + ")" if problem else "worker"
    env.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
    manage("migrate", "--noinput", env=env)
    onboard = json.loads(
        manage(
            "onboard",
            "--org",
            f"Bench {uuid.uuid4().hex[:6]}",
            "--email",
            f"{uuid.uuid4().hex[:8]}@bench.example",
            "--role",
            "seller",
            env=env,
        )
    )
    for variant, path in variants:
        size = path.stat().st_size
        # In the same run, just before: the machine is shared and noisy.
        reference_s, reference_cpu_s = _sha256sum_times(path)
        result = _upload(path, env, onboard["api_key"], worker=not problem)
        seconds = float(result.pop("seconds"))  # type: ignore[arg-type]
        cpu_s = float(result["server_cpu_s"]) + float(result.get("worker_cpu_s") or 0)  # type: ignore[arg-type]
        rss = float(result.pop("peak_rss_mb"))  # type: ignore[arg-type]
        emit(
            bench="catalog.upload_validate" if variant == "csv" else f"catalog.upload_validate.{variant}",
            format=variant,
            bytes=size,
            seconds=round(seconds, 2),
            mb_per_s=round(size / 1e6 / seconds, 1),
            peak_rss_mb=round(rss, 1),
            peak_rss_limit_mb=300,
            peak_rss_ok=rss < 300,
            reference="sha256sum",
            reference_mb_per_s=round(size / 1e6 / reference_s, 1),
            ratio_to_reference=round(reference_s / seconds, 3),
            target_ratio=0.5 if variant == "csv" else None,
            reference_cpu_s=round(reference_cpu_s, 2),
            cpu_ratio_to_reference=round(reference_cpu_s / cpu_s, 3),
            mode=mode,
            **result,
        )
