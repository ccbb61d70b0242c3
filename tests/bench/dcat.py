"""The DCAT-AP catalog (GET /catalog) over 100,000 published datasets on PostgreSQL: p50/p95 of a page of 50, as
JSON-LD and as Turtle, pages drawn across the whole catalog (the first, the last and random ones between), and the
queries one page costs.

Each dataset has a published version (IoT ones with a time range) and tags; every other dataset has an open
order-book offering (a licence, every tenth a subscription), so a page shows about 25 distributions, each with its
ODRL offer. Built once with bulk_create in its own database ``ichiba_bench_dcat`` (``ICHIBA_BENCH_DCAT_DATABASE_URL``)
and reused; runs the endpoint in-process (Django test client: middleware, view, SQL, mapping, rendering; no socket).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from tests.bench.common import catalog_rows, django_on_own_database, emit, percentile, ran_in_fresh_interpreter

N_DATASETS = int(os.environ.get("ICHIBA_BENCH_DCAT_DATASETS", 100_000))
DATABASE_URL = os.environ.get("ICHIBA_BENCH_DCAT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ichiba_bench_dcat")
ROUNDS = int(os.environ.get("ICHIBA_BENCH_DCAT_ROUNDS", 60))
TURTLE_ROUNDS = int(os.environ.get("ICHIBA_BENCH_DCAT_TURTLE_ROUNDS", 20))
PAGE_SIZE = 50
BATCH = 2000


def _setup_django() -> bool:
    return django_on_own_database(DATABASE_URL, bench="dcat.catalog")


def _populate() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog.models import Dataset, DatasetVersion, Tag
    from contracts.registry import template_get
    from contracts.terms import terms_resolve
    from demo.data import generate_catalog_entries
    from marketplace.models import Offering, Organization

    if Dataset.objects.filter(status=Dataset.Status.PUBLISHED).count() == N_DATASETS:
        return
    started = time.perf_counter()
    template = template_get("meti-data-provision")
    licence = terms_resolve(template=template, terms={}, license_seats=10, data_class="iot")
    subscription = terms_resolve(
        template=template,
        terms={"duration_days": 360},
        license_seats=10,
        data_class="iot",
        subscription={"period_days": 30, "term_periods": 12, "min_versions_per_period": 1, "stream": False},
    )
    now = timezone.now()
    with transaction.atomic():
        for model in (Offering, DatasetVersion, Dataset.tags.through, Dataset, Tag):
            model.objects.all().delete()
        Organization.objects.filter(name__startswith="Bench DCAT seller").delete()
        sellers = [
            Organization.objects.create(name=f"Bench DCAT seller {i}", is_seller=True, verified=True) for i in range(50)
        ]
        tags = {name: Tag.objects.create(name=name) for name in ("iot", "bridge", "weather", "mobility", "retail")}
        rows: dict[str, list[Any]] = {"datasets": [], "versions": [], "tags": [], "offerings": []}
        for index, entry in enumerate(generate_catalog_entries(N_DATASETS)):
            seller = sellers[index % len(sellers)]
            created = now - timedelta(seconds=N_DATASETS - index)
            iot = entry["data_class"] == "iot"
            dataset, version = catalog_rows(
                entry,
                seller=seller,
                index=index,
                created=created,
                time_range=["2024-01-01T00:00:00+09:00", "2024-03-31T23:50:00+09:00"] if iot else None,
            )
            rows["datasets"].append(dataset)
            rows["versions"].append(version)
            for name in list(tags)[index % 3 : index % 3 + 2]:
                rows["tags"].append(Dataset.tags.through(dataset_id=dataset.id, tag_id=tags[name].id))
            if index % 2 == 0:
                resolved = subscription if index % 20 == 0 else licence
                rows["offerings"].append(
                    Offering(
                        dataset_id=dataset.id,
                        seller=seller,
                        template_code=template.code,
                        template_version=template.version,
                        terms=resolved.terms,
                        terms_sha256=resolved.sha256,
                        mandatory_clauses=list(resolved.mandatory_clauses),
                        license_seats=10,
                        accepted_at=created,
                        **(
                            {
                                "kind": "subscription",
                                "period_days": 30,
                                "term_periods": 12,
                                "min_versions_per_period": 1,
                            }
                            if resolved is subscription
                            else {}
                        ),
                    )
                )
            if len(rows["datasets"]) == BATCH:
                _flush(rows)
        _flush(rows)
    with connection.cursor() as cursor:
        # As autovacuum would have by the time anyone harvests: statistics, and the visibility map that lets the
        # page's ids come from the index alone (an index-only scan).
        cursor.execute("VACUUM ANALYZE")
    emit(bench="dcat.catalog.populate", datasets=N_DATASETS, seconds=round(time.perf_counter() - started, 1))


def _flush(rows: dict[str, list[Any]]) -> None:
    from catalog.models import Dataset, DatasetVersion
    from marketplace.models import Offering

    Dataset.objects.bulk_create(rows["datasets"])
    DatasetVersion.objects.bulk_create(rows["versions"])
    Dataset.tags.through.objects.bulk_create(rows["tags"])
    Offering.objects.bulk_create(rows["offerings"])
    for batch in rows.values():
        batch.clear()


def _timed(client: Any, path: str, **headers: Any) -> float:
    started = time.perf_counter()
    response = client.get(path, **headers)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.content[:500]
    return elapsed


def run() -> None:
    if ran_in_fresh_interpreter("dcat") or not _setup_django():
        return
    _populate()
    from django.db import connection
    from django.test import Client

    client = Client()
    last = -(-N_DATASETS // PAGE_SIZE)
    chooser = random.Random(7)
    pages = [1, last, *(chooser.randint(1, last) for _ in range(ROUNDS - 2))]
    for number in pages[:5]:  # warm caches and the connection
        client.get(f"/catalog?page={number}")
    statements: list[str] = []

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        body = client.get(f"/catalog?page={last // 2}").content
    json_ld = [_timed(client, f"/catalog?page={number}") for number in pages]
    turtle = [_timed(client, f"/catalog?page={number}", HTTP_ACCEPT="text/turtle") for number in pages[:TURTLE_ROUNDS]]
    for name, timings in (("jsonld", json_ld), ("turtle", turtle)):
        emit(
            bench=f"dcat.catalog.{name}",
            datasets=N_DATASETS,
            page_size=PAGE_SIZE,
            requests=len(timings),
            p50_ms=round(statistics.median(timings), 1),
            p95_ms=round(percentile(timings, 0.95), 1),
            first_page_ms=round(timings[0], 1),
            last_page_ms=round(timings[1], 1),
        )
    emit(bench="dcat.catalog.queries", per_page=len(statements), page_bytes=len(body))
