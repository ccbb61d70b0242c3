"""Upload + validation of a generated 1 GB CSV through the API, beside ``sha256sum`` of the same file; then the
same rows as Parquet and as a Shift_JIS (cp932) CSV, each beside its own ``sha256sum``.

Each upload goes to a fresh server (Django, eager Celery: upload and validation in one process), a subprocess
whose peak RSS is read from /proc; the client streams the multipart body from disk.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.bench.common import ROOT, WORK, emit, free_port, manage, peak_rss_mb, wait_for_port

SIZE = int(os.environ.get("ICHIBA_BENCH_UPLOAD_BYTES", 1024**3))
CHUNK = 1024 * 1024


def _generate(path: Path) -> None:
    if path.exists() and path.stat().st_size >= SIZE:
        return
    from demo.data import generate_strain_csv

    with path.open("wb") as stream:
        generate_strain_csv(stream, target_bytes=SIZE)


def _sha256sum_seconds(path: Path) -> float:
    sha256sum = shutil.which("sha256sum")
    assert sha256sum is not None, "the baseline is coreutils' sha256sum"
    started = time.perf_counter()
    subprocess.run([sha256sum, str(path)], check=True, capture_output=True)
    return time.perf_counter() - started


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


def _upload(data: Path, env: dict[str, str], api_key: str) -> dict[str, object]:
    """One upload through a fresh server (so its peak RSS is this upload's), timed to the validated version."""
    port = free_port()
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
        boundary = uuid.uuid4().hex
        length, body = _multipart(data, boundary)
        started = time.perf_counter()
        connection.request(
            "POST",
            f"/api/v1/datasets/{dataset['id']}/versions",
            body,
            {
                "Authorization": headers["Authorization"],
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(length),
            },
        )
        response = connection.getresponse()
        accepted = json.loads(response.read())
        uploaded_s = time.perf_counter() - started  # eager: validation ran before the response
        connection.request("GET", f"/api/v1/datasets/{dataset['id']}/versions/{accepted['number']}", headers=headers)
        version = json.loads(connection.getresponse().read())
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(WORK / "data", ignore_errors=True)
    encoding = next((c["detail"] for c in version.get("checks", []) if c["name"] == "encoding"), None)
    return {
        "seconds": uploaded_s,
        "status": version.get("status"),
        "rows": version.get("row_count"),
        "encoding": encoding,
        "peak_rss_mb": rss,
        "http_status": response.status,
    }


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

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "ICHIBA_DATA_DIR": str(WORK / "data"),
        "ICHIBA_MAX_UPLOAD_BYTES": str(SIZE * 2),
    }
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
        reference_s = _sha256sum_seconds(path)  # in the same run, just before: the machine is shared and noisy
        result = _upload(path, env, onboard["api_key"])
        seconds = float(result.pop("seconds"))  # type: ignore[arg-type]
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
            **result,
        )
