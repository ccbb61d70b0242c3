"""Catalog search over 100,000 generated datasets on PostgreSQL: p50/p95 latency of the search endpoint.

Runs the endpoint in-process (Django test client: middleware, view, SQL, serialisation; no socket), against
its own database ``ichiba_bench`` (``ICHIBA_BENCH_DATABASE_URL``), built once and reused.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from typing import Any

from tests.bench.common import django_on_own_database, emit, percentile, ran_in_fresh_interpreter

N_DATASETS = int(os.environ.get("ICHIBA_BENCH_DATASETS", 100_000))
DATABASE_URL = os.environ.get("ICHIBA_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ichiba_bench")
QUERIES = [
    "q=bridge",
    "q=振動",
    "q=Osaka",
    "q=人流 大阪",
    "q=vibration&category=manufacturing",
    "q=橋&data_class=iot",
    "category=weather",
    "tag=iot",
    "q=temperature sensor",
    "q=submarine",
    "",
]
ROUNDS = int(os.environ.get("ICHIBA_BENCH_SEARCH_ROUNDS", 40))


def _setup_django() -> bool:
    return django_on_own_database(DATABASE_URL, bench="catalog.search")


def _populate() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog import search
    from catalog.models import Dataset, Tag
    from demo.data import generate_catalog_entries
    from marketplace.models import Organization

    if Dataset.objects.count() == N_DATASETS:
        return
    started = time.perf_counter()
    with transaction.atomic():
        Dataset.tags.through.objects.all().delete()
        Dataset.objects.all().delete()
        sellers = [
            Organization.objects.create(name=f"Bench seller {i}", is_seller=True, verified=True) for i in range(50)
        ]
        tags: dict[str, Tag] = {}
        batch: list[Dataset] = []
        links: list[tuple[int, str]] = []
        now = timezone.now()
        for index, entry in enumerate(generate_catalog_entries(N_DATASETS)):
            dataset = Dataset(
                id=uuid.uuid4(),
                seller=sellers[index % len(sellers)],
                title=entry["title"],
                description=entry["description"],
                data_class=entry["data_class"],
                category=entry["category"],
                region=entry.get("region", ""),
                update_frequency=entry.get("update_frequency", "once"),
                anonymization=entry.get("anonymization") or {},
                status=Dataset.Status.PUBLISHED,
                published_at=now,
                search_text=search.document_tokens(
                    entry["title"], entry["description"], " ".join(entry.get("tags", [])), entry.get("region", "")
                ),
            )
            batch.append(dataset)
            for tag in entry.get("tags", []):
                links.append((len(batch) - 1, search.normalize(tag)))
            if len(batch) == 2000:
                _flush(batch, links, tags)
                batch, links = [], []
        _flush(batch, links, tags)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    emit(bench="catalog.search.populate", datasets=N_DATASETS, seconds=round(time.perf_counter() - started, 1))


def _flush(batch: list[Any], links: list[tuple[int, str]], tags: dict[str, Any]) -> None:
    from catalog.models import Dataset, Tag

    if not batch:
        return
    Dataset.objects.bulk_create(batch)
    missing = {name for _, name in links} - set(tags)
    if missing:
        Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
        tags.update({tag.name: tag for tag in Tag.objects.filter(name__in=missing)})
    through = Dataset.tags.through
    seen: set[tuple[int, str]] = set()
    rows = []
    for position, name in links:
        if (position, name) not in seen:
            seen.add((position, name))
            rows.append(through(dataset_id=batch[position].id, tag_id=tags[name].id))
    through.objects.bulk_create(rows)


def run() -> None:
    if ran_in_fresh_interpreter("catalog_search") or not _setup_django():
        return
    _populate()
    from django.test import Client

    client = Client()
    for query in QUERIES:  # warm caches and connections
        assert client.get(f"/api/v1/datasets?{query}").status_code == 200
    per_query: dict[str, list[float]] = {query: [] for query in QUERIES}
    counts: dict[str, int] = {}
    for _ in range(ROUNDS):
        for query in QUERIES:
            started = time.perf_counter()
            response = client.get(f"/api/v1/datasets?{query}")
            per_query[query].append((time.perf_counter() - started) * 1000)
            counts[query] = len(response.json()["results"])
    for query, timings in per_query.items():
        emit(
            bench="catalog.search.query",
            query=query or "(browse)",
            results_on_page=counts[query],
            p50_ms=round(statistics.median(timings), 2),
            p95_ms=round(percentile(timings, 0.95), 2),
        )
    everything = [t for timings in per_query.values() for t in timings]
    p95 = percentile(everything, 0.95)
    emit(
        bench="catalog.search",
        datasets=N_DATASETS,
        requests=len(everything),
        p50_ms=round(statistics.median(everything), 2),
        p95_ms=round(p95, 2),
        p95_target_ms=50,
        p95_ok=p95 < 50,
    )
