"""Upload + validation of a generated 1 GB CSV through the API, beside ``sha256sum`` of the same file.

The server (Django, eager Celery: upload and validation in one process) is a subprocess whose peak RSS
is read from /proc; the client streams the multipart body from disk.
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


def _multipart(path: Path, boundary: str) -> tuple[int, Iterator[bytes]]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
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


def run() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    # Each run uploads a fresh copy; the previous run's stored gigabyte and database go first.
    shutil.rmtree(WORK / "data", ignore_errors=True)
    (WORK / "bench.sqlite3").unlink(missing_ok=True)
    data = WORK / "strain-1g.csv"
    _generate(data)
    size = data.stat().st_size
    reference_s = _sha256sum_seconds(data)

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
        headers = {"Authorization": f"Bearer {onboard['api_key']}", "Content-Type": "application/json"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
        connection.request(
            "POST",
            "/api/v1/datasets",
            json.dumps({"title": "Bench strain", "data_class": "iot", "category": "infrastructure"}),
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
    emit(
        bench="catalog.upload_validate",
        bytes=size,
        seconds=round(uploaded_s, 2),
        mb_per_s=round(size / 1e6 / uploaded_s, 1),
        status=version.get("status"),
        rows=version.get("row_count"),
        peak_rss_mb=round(rss, 1),
        peak_rss_limit_mb=300,
        peak_rss_ok=rss < 300,
        reference="sha256sum",
        reference_mb_per_s=round(size / 1e6 / reference_s, 1),
        ratio_to_reference=round(reference_s / uploaded_s, 3),
        http_status=response.status,
    )
