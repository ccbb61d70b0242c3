"""``manage.py close_periods [--as-of ISO-8601]``: close the subscription periods that ended, billing the delivered
ones (docs/operations.md#subscriptions). Celery beat runs the same pass every minute (``settlement.close_periods``).

``--as-of`` closes the periods that ended at or before that instant instead of now. A future instant is a test
clock: allowed only where ``ICHIBA_SUBSCRIPTION_TEST_CLOCK`` is on (the local and test settings), so the billing can
be tried in seconds; the production settings refuse it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.market import market_settings
from settlement.services.billing import subscription_periods_close

# An instant this close to now is "now" (the clocks of the caller and of this process differ a little).
CLOCK_TOLERANCE = timedelta(seconds=5)


def as_of_parse(value: str, *, now: datetime) -> datetime:
    """An ISO-8601 instant (without an offset: in the server's time zone); after ``now`` only with a test clock."""
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise CommandError(f"--as-of {value!r} is not an ISO-8601 date and time (e.g. 2026-04-01T00:00:00+09:00).")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if parsed > now + CLOCK_TOLERANCE and not market_settings().subscription_test_clock:
        raise CommandError(
            "--as-of may not lie in the future here: periods are closed ahead of time only with a test clock "
            "(ICHIBA_SUBSCRIPTION_TEST_CLOCK, on in the local and test settings only)."
        )
    return parsed


class Command(BaseCommand):
    help = "Close the subscription periods that ended (before --as-of), charging those delivered; prints a summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", default="", help="ISO-8601 instant (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = as_of_parse(options["as_of"], now=timezone.now()) if options["as_of"] else None
        closed = subscription_periods_close(as_of=as_of)
        self.stdout.write(json.dumps(closed.as_dict()))
