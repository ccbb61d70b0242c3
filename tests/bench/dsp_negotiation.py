"""Dataspace Protocol negotiations with a real Celery worker: full negotiations per second, from the consumer's
``ContractRequestMessage`` to the ``FINALIZED`` event at its callback address (issue 16 sets no target yet).

Run by ``python -m tests.bench dsp`` after the catalog figures, in an interpreter of its own (Django's settings load
once per process, and this one publishes to Redis). Own database ``ichiba_bench_dsp_negotiation`` on
``ICHIBA_BENCH_PG`` (dropped, created, migrated each run) and Redis ``ICHIBA_BENCH_REDIS`` (default
``redis://127.0.0.1:6379/7``, the benches' own DB number; not flushed). Without either, one ``skipped`` figure.

The market: one verified seller's offering with unlimited seats and an unlimited ask on a published dataset
(``matching.build_market``, made ready as the settlement bench does); ``ICHIBA_BENCH_DSP_CONSUMERS`` (4) verified
buyer organisations paying with ``pm_card_visa``, each with its API key and its own consumer connector
(``dataspace.tests.connector``: an HTTP server on loopback in this process). The worker is the settlement bench's
(``celery -A config worker -Q settlement,webhooks,default``, prefork, ``ICHIBA_BENCH_DSP_WORKER_CONCURRENCY`` 2): it
authorises the payments and posts the callbacks. Each consumer, in a
thread of this process, runs negotiations one after another for ``ICHIBA_BENCH_DSP_SECONDS`` (20): request (the
fill-or-kill buy, in-process through the Django test client: middleware, view, schema checks, matching), wait for
the agreement at its connector, send the verification, wait for ``FINALIZED``. Figures: ``negotiations_per_s``
(finalized / the window), and per negotiation the latency to the agreement received and to ``FINALIZED`` received
(p50, p95), with the request's own answer time.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from tests.bench.common import WORK, emit, percentile, redis_problem, worker_environment
from tests.bench.matching import build_market, recreate_database

DATABASE = "ichiba_bench_dsp_negotiation"
REDIS_URL = os.environ.get("ICHIBA_BENCH_REDIS", "redis://127.0.0.1:6379/7")
CONSUMERS = int(os.environ.get("ICHIBA_BENCH_DSP_CONSUMERS", 4))
SECONDS = float(os.environ.get("ICHIBA_BENCH_DSP_SECONDS", 20))
CONCURRENCY = int(os.environ.get("ICHIBA_BENCH_DSP_WORKER_CONCURRENCY", 2))
TIMEOUT = 60.0
BENCH = "dsp.negotiation"


def _setup(url: str, data_dir: Path) -> dict[str, str]:
    env = worker_environment(database_url=url, redis_url=REDIS_URL, data_dir=data_dir)
    env["ICHIBA_WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true"  # the connectors listen on loopback
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from config.celery import app

    assert not app.conf.task_always_eager
    call_command("migrate", "--noinput", verbosity=0)
    return env


def _market() -> tuple[uuid.UUID, list[str]]:
    """The offering's id and the consumers' API keys: the matching bench's market (one offering with unlimited seats,
    ``CONSUMERS`` verified buyers) made ready as the settlement bench's (cards saved, an unlimited ask)."""
    from marketplace.services.participants import api_key_create
    from tests.bench.settlement import _prepare

    market = build_market(offerings=1, sellers=1, buyers=CONSUMERS)
    _prepare(market)
    keys = [api_key_create(organization=buyer, name="bench").secret for buyer in market.buyer_organizations]
    return market.books[0].offering_id, keys


def _offer(key: str, offering_id: uuid.UUID) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.test import Client

    from dataspace.dsp import CONTEXT
    from dataspace.dsp.catalog import offer_id

    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(
        "/dsp/2025-1/catalog/request",
        data=json.dumps({"@context": [CONTEXT], "@type": "CatalogRequestMessage"}),
        content_type="application/json",
    )
    for dataset in response.json()["dataset"]:
        for policy in dataset["hasPolicy"]:
            if policy["@id"] == offer_id(offering_id):
                return dataset, policy
    raise RuntimeError("the bench's offer is not in the catalog")


def _consumer(key: str, dataset: dict[str, Any], policy: dict[str, Any], until: float, out: dict[str, Any]) -> None:
    """Negotiations one after another until ``until``; what each took, in ``out``."""
    from django.db import connection
    from django.test import Client

    from dataspace.dsp import CONTEXT
    from dataspace.tests.connector import consumer_connector

    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    try:
        with consumer_connector() as connector:
            done = 0
            while time.monotonic() < until:
                pid = f"urn:uuid:{uuid.uuid4()}"
                started = time.monotonic()
                answer = client.post(
                    "/dsp/2025-1/negotiations/request",
                    data=json.dumps(
                        {
                            "@context": [CONTEXT],
                            "@type": "ContractRequestMessage",
                            "consumerPid": pid,
                            "offer": {**policy, "target": dataset["@id"]},
                            "callbackAddress": connector.callback_address,
                        }
                    ),
                    content_type="application/json",
                )
                answered = time.monotonic()
                if answer.status_code != 201 or answer.json()["state"] != "AGREED":
                    out["errors"].append(answer.content[:300].decode(errors="replace"))
                    continue
                negotiation = answer.json()
                connector.wait_for("ContractAgreementMessage", count=done + 1, timeout=TIMEOUT)
                agreed = time.monotonic()
                verification = {
                    "@context": [CONTEXT],
                    "@type": "ContractAgreementVerificationMessage",
                    "providerPid": negotiation["providerPid"],
                    "consumerPid": pid,
                }
                client.post(
                    f"/dsp/2025-1/negotiations/{negotiation['providerPid']}/agreement/verification",
                    data=json.dumps(verification),
                    content_type="application/json",
                )
                connector.wait_for("ContractNegotiationEventMessage", count=done + 1, timeout=TIMEOUT)
                finalized = time.monotonic()
                done += 1
                out["request_ms"].append((answered - started) * 1000)
                out["agreement_ms"].append((agreed - started) * 1000)
                out["finalized_ms"].append((finalized - started) * 1000)
                out["ends"].append(finalized)
    except Exception as error:  # a bench reports what went wrong instead of dying mid-run
        out["errors"].append(repr(error))
    finally:
        connection.close()


def run() -> None:
    from tests.bench.settlement import Workers

    problem = redis_problem(REDIS_URL)
    url = recreate_database(DATABASE, bench=BENCH) if not problem else None
    if problem:
        emit(bench=BENCH, skipped=problem)
    if url is None:
        return
    data_dir = WORK / "dsp_negotiation"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _setup(url, data_dir)
    offering_id, keys = _market()
    dataset, policy = _offer(keys[0], offering_id)
    workers = Workers(concurrency=CONCURRENCY, env=env, log=data_dir / "worker.log")
    workers.start()
    try:
        workers.wait_ready()
        results: dict[str, Any] = {"request_ms": [], "agreement_ms": [], "finalized_ms": [], "ends": [], "errors": []}
        began = time.monotonic()
        until = began + SECONDS
        threads = [threading.Thread(target=_consumer, args=(key, dataset, policy, until, results)) for key in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 2 * TIMEOUT)
    finally:
        workers.stop()
    finalized = len(results["finalized_ms"])
    window = (max(results["ends"]) - began) if results["ends"] else SECONDS
    figure: dict[str, Any] = {
        "bench": BENCH,
        "consumers": CONSUMERS,
        "worker_concurrency": CONCURRENCY,
        "seconds": round(window, 1),
        "finalized": finalized,
        "negotiations_per_s": round(finalized / window, 1),
        "errors": len(results["errors"]),
    }
    for name in ("request_ms", "agreement_ms", "finalized_ms"):
        if results[name]:
            figure[f"{name.removesuffix('_ms')}_p50_ms"] = round(statistics.median(results[name]), 1)
            figure[f"{name.removesuffix('_ms')}_p95_ms"] = round(percentile(results[name], 0.95), 1)
    if results["errors"]:
        figure["first_error"] = results["errors"][0]
    emit(**figure)
