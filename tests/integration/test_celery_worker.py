"""Validation on a real Celery worker, over Redis, against PostgreSQL (run by CI)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import DatasetVersion
from tests.builders import make_party
from tests.fixtures import require_postgres, require_redis
from tests.integration.workers import publishing_to_broker, start_worker, stop_worker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(transactional_db) -> Iterator[subprocess.Popen[str]]:
    require_postgres()
    require_redis()
    process = start_worker(queues="validation,default", name="validation")
    try:
        with publishing_to_broker():
            yield process
    finally:
        stop_worker(process)


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
