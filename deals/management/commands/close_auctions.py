"""``manage.py close_auctions``: close the auctions whose closing time has come, now (Celery beat runs the same
pass every 10 seconds, ``deals.close_auctions``); prints how many it closed."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from deals.services.auctions import auctions_close_due


class Command(BaseCommand):
    help = "Close the auctions whose closing time has come; prints how many were closed."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps({"closed": auctions_close_due()}))
