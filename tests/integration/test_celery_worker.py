"""Validation on a real Celery worker, over Redis, against PostgreSQL (run by CI)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from catalog.models import DatasetVersion
from tests.fixtures import make_party, require_postgres, require_redis
from tests.integration.workers import publishing_to_broker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(transactional_db) -> Iterator[subprocess.Popen]:
    require_postgres()
    require_redis()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "ICHIBA_TEST_DATA_DIR": str(settings.MEDIA_ROOT),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "validation,default",
            "-c",
            "1",
            "--pool",
            "solo",
            "-l",
            "warning",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with publishing_to_broker():
            yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_upload_is_validated_by_a_real_worker(worker) -> None:
    seller = make_party("Worker Seller", {"seller"})
    created = seller.client.post(
        "/api/v1/datasets", {"title": "Gauges", "data_class": "iot", "category": "infrastructure"}, format="json"
    )
    content = b"timestamp,value\n" + b"".join(f"2024-01-01T00:{i:02d}:00+09:00,{i}\n".encode() for i in range(50))
    response = seller.client.post(
        f"/api/v1/datasets/{created.json()['id']}/versions",
        {"file": SimpleUploadedFile("g.csv", content)},
        format="multipart",
    )
    assert response.status_code == 202
    deadline = time.monotonic() + 60
    version = DatasetVersion.objects.get(dataset_id=created.json()["id"])
    while version.status == "validating" and time.monotonic() < deadline:
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else "worker died"
        time.sleep(0.2)
        version.refresh_from_db()
    assert version.status == "published", version.checks
    assert version.row_count == 50
