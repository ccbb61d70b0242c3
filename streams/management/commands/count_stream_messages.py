"""``manage.py count_stream_messages``: the market's message counter (streams/counter.py), in the foreground.

Run exactly one, under a supervisor that restarts it (``manage.py workers`` starts it beside the worker pools when
streams are on, ``make run`` in-process). SIGINT or SIGTERM flushes what was counted and stops it; the broker keeps
its session meanwhile, so what is published with QoS 1 until it is back is counted then.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.market import streams_enabled
from streams.broker import BrokerUnavailable
from streams.counter import FLUSH_INTERVAL_SECONDS, CounterRefused, MessageCounter


class Command(BaseCommand):
    help = "Count each live stream's messages per dataset and minute into the database (run exactly one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--flush-interval", type=float, default=FLUSH_INTERVAL_SECONDS, help="Seconds between database writes."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not streams_enabled():
            raise CommandError("Live streams are off: set ICHIBA_MQTT_URL (docs/streams.md).")
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():  # `make run` runs it in a thread of its own

            def request_stop(signum: int, frame: Any) -> None:
                stop.set()

            signal.signal(signal.SIGINT, request_stop)
            signal.signal(signal.SIGTERM, request_stop)
        counter = MessageCounter(flush_interval=options["flush_interval"])
        try:
            counter.run(stop)
        except (BrokerUnavailable, CounterRefused) as error:
            raise CommandError(str(error)) from error
