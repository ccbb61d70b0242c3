"""``manage.py export_audit --from 2026-04-01 --to 2027-03-31 [--output audit.csv]``: the audit trail of a period
(both days included, in the market's time zone) as the console's CSV (oversight.services.audit), streamed."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.errors import InvalidInput
from oversight.services.audit import audit_csv, audit_period


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Export the audit trail of a period (orders, trades, contracts, settlements, access, downloads) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", required=True, help="last day (included), YYYY-MM-DD")
        parser.add_argument("--output", default="-", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = audit_period(first=_day(options["first"]), last=_day(options["last"]))
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        if options["output"] == "-":
            for line in audit_csv(period):
                sys.stdout.buffer.write(line.encode("utf-8"))
            sys.stdout.flush()
            return
        with open(options["output"], "w", encoding="utf-8", newline="") as handle:
            for line in audit_csv(period):
                handle.write(line)
        self.stderr.write(f"Wrote {options['output']}")
