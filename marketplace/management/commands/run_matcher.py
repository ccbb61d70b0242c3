"""``manage.py run_matcher --shard N``: the matcher of one shard of order books (docs/operations.md#matchers).

Start one per shard; start a second one for a shard on another machine to have a standby, which waits for the
shard's lock and takes over when the first one dies. SIGTERM stops it after the batch it is writing. SIGUSR1 prints
what it has done so far as one JSON line (``Stats.summary``: batches, their sizes, where their time went), and so
does stopping.
"""

from __future__ import annotations

import json
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marketplace.matching import streams
from marketplace.matching.matcher import Matcher
from marketplace.matching.shards import shard_count


class Command(BaseCommand):
    help = "Run the matcher of one shard of order books (ICHIBA_MATCHERS=streams)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--shard", type=int, required=True, help="Which shard, 0 to ICHIBA_MATCHER_SHARDS - 1.")
        parser.add_argument("--batch", type=int, default=None, help="Most orders in one batch (ICHIBA_MATCHER_BATCH).")

    def handle(self, *args: Any, shard: int, batch: int | None, **options: Any) -> None:
        if not streams.enabled():
            raise CommandError("Matchers run with ICHIBA_MATCHERS=streams; in process, requests match their orders.")
        if not 0 <= shard < shard_count():
            raise CommandError(f"--shard is 0 to {shard_count() - 1} (ICHIBA_MATCHER_SHARDS={shard_count()}).")
        matcher = Matcher(shard, batch=batch)

        def stop(signum: int, frame: Any) -> None:
            matcher.stop.set()

        def summary(signum: int | None = None, frame: Any = None) -> None:
            self.stdout.write(json.dumps({"matcher": shard, **matcher.stats.summary(matcher.books.spent)}))
            self.stdout.flush()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGUSR1, summary)
        self.stdout.write(f"matcher of shard {shard}: waiting for its lock")
        matcher.run()
        stats = matcher.stats
        self.stdout.write(
            f"matcher of shard {shard}: stopped after {stats.commands} orders in {stats.batches} batches "
            f"({stats.reclaimed} reclaimed, {stats.already_placed} of them already placed; "
            f"{stats.redis_outages} Redis outages)"
        )
        summary()
