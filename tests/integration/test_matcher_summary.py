"""What a matcher says it did (``Stats.summary``, ``Books.spent``): the batches and their sizes as placed, its time
split into parts that add up to no more than the whole, and ``run_matcher`` printing it as one JSON line on SIGUSR1
and when it stops (the bench's account of a matcher's time)."""

from __future__ import annotations

import json
import signal
import time
from typing import Any

import pytest

from marketplace.matching.shards import shard_of
from tests.builders import make_party
from tests.integration.market import buy, offering_of, sell
from tests.integration.matchers import matcher_threads, start_matcher_process, streams_mode

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_streams(settings: Any) -> Any:
    with streams_mode(settings) as prefix:
        yield prefix


def test_a_matchers_summary_counts_its_batches_and_splits_their_time(on_streams: str) -> None:
    seller, buyer = make_party("Summary Seller", {"seller"}), make_party("Summary Buyer", {"buyer"})
    offering = offering_of(seller, seats=5)
    with matcher_threads() as matchers:
        sell(seller, offering, quantity=5)
        buy(buyer, offering, quantity=2)
    matcher = matchers[shard_of(offering.dataset_id)]
    summary = json.loads(json.dumps(matcher.stats.summary(matcher.books.spent)))
    assert summary["commands"] == 2 and summary["batches"] == 2 and summary["sizes"] == {"1": 2}
    seconds = summary["seconds"]
    parts = ("read", "matching", "write", "commit", "after_commit")
    assert sum(seconds[f"batch_{part}"] for part in parts) <= seconds["batch_total"] <= seconds["place"]
    assert seconds["batch_matching_sql"] <= seconds["batch_matching"]
    assert seconds["decode"] + seconds["place"] + seconds["answer"] <= seconds["busy"]


def _summaries(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"matcher"')]


def _next_summary(stream: Any) -> dict[str, Any]:
    for _ in range(100):  # its log lines may come first
        line = stream.readline()
        if line.startswith('{"matcher"'):
            return dict(json.loads(line))
        assert line, "the matcher ended without a summary"
    raise AssertionError("no summary among the matcher's next 100 lines")


def test_run_matcher_prints_its_summary_on_sigusr1_and_when_it_stops(on_streams: str) -> None:
    seller, buyer = make_party("Printed Seller", {"seller"}), make_party("Printed Buyer", {"buyer"})
    offering = offering_of(seller, seats=3)
    shard = shard_of(offering.dataset_id)
    process = start_matcher_process(shard, env={"PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        assert "waiting for its lock" in process.stdout.readline()
        sell(seller, offering, quantity=3)
        buy(buyer, offering, quantity=1)
        process.send_signal(signal.SIGUSR1)
        printed = _next_summary(process.stdout)
        process.terminate()
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    # A batch is counted just after its answers are sent: the buy's may not be counted yet when it returns.
    assert printed["matcher"] == shard and printed["commands"] in (1, 2) and printed["took_over_at"] <= time.time()
    assert "stopped after 2 orders" in output
    [final] = _summaries(output)
    assert final["commands"] == 2 and final["sizes"] == {"1": 2} and final["batches"] == 2
