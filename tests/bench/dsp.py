"""The Dataspace Protocol's catalog request (POST /dsp/2025-1/catalog/request) over 10,000 offered datasets on
PostgreSQL: p50/p95 of a page of 50 (target: p95 under 200 ms), unfiltered (pages drawn across the whole catalog:
the first, the last and random ones between), filtered by data class, and by a free-text query; and the queries one
page costs.

Each dataset has a published version and an open order-book licence offering with a resting ask, so every dataset is
offered and every page shows 50 datasets, each with its priced ODRL offer. Built once with bulk_create in its own
database ``ichiba_bench_dsp`` (``ICHIBA_BENCH_DSP_DATABASE_URL``) and reused; runs the endpoint in-process (Django
test client with the consumer's API key: middleware, view, schema checks, SQL, mapping; no socket). Then full
negotiations per second with a real worker, in an interpreter of its own (``tests/bench/dsp_negotiation.py``).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from typing import Any

from tests.bench.common import ROOT, catalog_rows, django_on_own_database, emit, percentile, ran_in_fresh_interpreter

N_DATASETS = int(os.environ.get("ICHIBA_BENCH_DSP_DATASETS", 10_000))
DATABASE_URL = os.environ.get("ICHIBA_BENCH_DSP_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ichiba_bench_dsp")
ROUNDS = int(os.environ.get("ICHIBA_BENCH_DSP_ROUNDS", 60))
PAGE_SIZE = 50
BATCH = 2000
REQUEST = "/dsp/2025-1/catalog/request"


def _setup_django() -> bool:
    return django_on_own_database(DATABASE_URL, bench="dsp.catalog")


def _populate() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog.models import Dataset, DatasetVersion
    from contracts.registry import template_get
    from contracts.terms import terms_resolve
    from demo.data import generate_catalog_entries
    from marketplace.models import Offering, Order, Organization

    if Dataset.objects.filter(status=Dataset.Status.PUBLISHED).count() == N_DATASETS:
        return
    started = time.perf_counter()
    template = template_get("meti-data-provision")
    licence = terms_resolve(template=template, terms={}, license_seats=10, data_class="iot")
    now = timezone.now()
    with transaction.atomic():
        for model in (Order, Offering, DatasetVersion, Dataset):
            model.objects.all().delete()
        Organization.objects.filter(name__startswith="Bench DSP seller").delete()
        sellers = [
            Organization.objects.create(name=f"Bench DSP seller {i}", is_seller=True, verified=True) for i in range(20)
        ]
        rows: dict[str, list[Any]] = {"datasets": [], "versions": [], "offerings": [], "orders": []}
        for index, entry in enumerate(generate_catalog_entries(N_DATASETS)):
            seller = sellers[index % len(sellers)]
            created = now - timedelta(seconds=N_DATASETS - index)
            dataset, version = catalog_rows(entry, seller=seller, index=index, created=created)
            rows["datasets"].append(dataset)
            rows["versions"].append(version)
            offering = Offering(
                id=uuid.uuid4(),
                dataset_id=dataset.id,
                seller=seller,
                template_code=template.code,
                template_version=template.version,
                terms=licence.terms,
                terms_sha256=licence.sha256,
                mandatory_clauses=list(licence.mandatory_clauses),
                license_seats=10,
                accepted_at=created,
            )
            rows["offerings"].append(offering)
            rows["orders"].append(
                Order(
                    offering_id=offering.id,
                    organization=seller,
                    side="sell",
                    price=1000 + index % 500,
                    quantity=5,
                    seq=1,
                )
            )
            if len(rows["datasets"]) == BATCH:
                _flush(rows)
        _flush(rows)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    emit(bench="dsp.catalog.populate", datasets=N_DATASETS, seconds=round(time.perf_counter() - started, 1))


def _flush(rows: dict[str, list[Any]]) -> None:
    from catalog.models import Dataset, DatasetVersion
    from marketplace.models import Offering, Order

    Dataset.objects.bulk_create(rows["datasets"])
    DatasetVersion.objects.bulk_create(rows["versions"])
    Offering.objects.bulk_create(rows["offerings"])
    Order.objects.bulk_create(rows["orders"])
    for batch in rows.values():
        batch.clear()


def _consumer_key() -> str:
    from marketplace.models import Organization
    from marketplace.services.participants import api_key_create

    consumer, _ = Organization.objects.get_or_create(
        name="Bench DSP consumer", defaults={"is_buyer": True, "verified": True}
    )
    return api_key_create(organization=consumer, name=f"bench-{uuid.uuid4().hex[:8]}").secret


def run() -> None:
    if ran_in_fresh_interpreter("dsp") or not _setup_django():
        return
    _populate()
    from django.db import connection
    from django.test import Client

    from dataspace.dsp import CONTEXT

    client = Client(HTTP_AUTHORIZATION=f"Bearer {_consumer_key()}")

    def request(number: int, *filters: dict[str, str]) -> Any:
        message: dict[str, Any] = {"@context": [CONTEXT], "@type": "CatalogRequestMessage"}
        if filters:
            message["filter"] = list(filters)
        return client.post(f"{REQUEST}?page={number}", data=json.dumps(message), content_type="application/json")

    def timed(number: int, *filters: dict[str, str]) -> float:
        started = time.perf_counter()
        response = request(number, *filters)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:500]
        return elapsed

    last = -(-N_DATASETS // PAGE_SIZE)
    chooser = random.Random(7)
    pages = [1, last, *(chooser.randint(1, last) for _ in range(ROUNDS - 2))]
    for number in pages[:5]:  # warm caches and the connection
        request(number)
    statements: list[str] = []

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        response = request(last // 2)
    body = response.content
    assert len(json.loads(body)["dataset"]) == PAGE_SIZE, "every dataset of the bench is offered"
    figures = {
        "all": [timed(number) for number in pages],
        "data_class": [timed(number, {"dataClass": "iot"}) for number in pages[: ROUNDS // 3]],
        "text": [timed(1 + index % 3, {"q": "temperature"}) for index in range(ROUNDS // 3)],
    }
    for name, timings in figures.items():
        emit(
            bench=f"dsp.catalog.{name}",
            datasets=N_DATASETS,
            page_size=PAGE_SIZE,
            requests=len(timings),
            p50_ms=round(statistics.median(timings), 1),
            p95_ms=round(percentile(timings, 0.95), 1),
            target_p95_ms=200,
        )
    emit(bench="dsp.catalog.queries", per_page=len(statements), page_bytes=len(body))
    sys.stdout.flush()
    # Publishes to Redis for a real worker: another interpreter (this one's Django is set up without Redis).
    subprocess.run(
        [sys.executable, "-c", "from tests.bench import dsp_negotiation; dsp_negotiation.run()"], cwd=ROOT, check=True
    )
