"""``manage.py serve``: the embedded way to run the market (``make run``): the web site and API, with the
periodic work that Celery beat drives in production (order expiry, settlement sweeps, captures after the
acceptance window, entitlement expiry, payouts, webhook retries) run in-process on the same schedule.

It serves like production: DEBUG stays off unless ``DJANGO_DEBUG=true`` (so a missing page is the site's own 404,
not Django's debug page), and WhiteNoise serves the static files, collected into ``STATIC_ROOT`` first as a
deployment would (with DEBUG on WhiteNoise reads the apps' folders instead, and nothing is collected).

With live streams on (``ICHIBA_MQTT_URL``), the message counter (``manage.py count_stream_messages``) runs in a
thread too, started again a few seconds after it stops (the broker down, say).

Tasks are looked up by name in the Celery app, and the counter by its command's name, so the site shell imports no
higher app. With a broker (``REDIS_URL``) run ``make worker`` (which starts the counter when streams are on) and
``make beat`` instead; this command then only serves.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timedelta
from typing import Any

from celery.schedules import BaseSchedule, schedule
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from config.celery import app
from config.market import streams_enabled

logger = logging.getLogger(__name__)


def _schedule(value: Any) -> BaseSchedule:
    return value if isinstance(value, BaseSchedule) else schedule(timedelta(seconds=float(value)))


def run_due_tasks_forever(*, tick: float = 1.0, stop: threading.Event | None = None) -> None:
    """Run each beat entry in-process whenever it is due (first run one interval after start)."""
    stop = stop or threading.Event()
    # A worker imports every app's tasks module at start; a web process has not, so do it here.
    app.loader.import_default_modules()
    started = timezone.now()
    entries = {name: _schedule(entry["schedule"]) for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    last_run: dict[str, datetime] = dict.fromkeys(entries, started)
    while not stop.wait(tick):
        for name, when in entries.items():
            due, _next = when.is_due(last_run[name])
            if not due:
                continue
            last_run[name] = timezone.now()
            task_name = settings.CELERY_BEAT_SCHEDULE[name]["task"]
            try:
                app.tasks[task_name].apply()
            except Exception:  # one failing sweep must not stop the others
                logger.exception("in-process beat: %s failed", task_name)
            finally:
                close_old_connections()


def count_stream_messages_forever(*, restart_after: float = 5.0, stop: threading.Event | None = None) -> None:
    """Run the live streams' message counter, starting it again ``restart_after`` seconds after it stops."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            call_command("count_stream_messages")
        except CommandError as error:
            logger.warning("in-process stream counter stopped: %s; starting again in %g s", error, restart_after)
        except Exception:
            logger.exception("in-process stream counter failed; starting again in %g s", restart_after)
        finally:
            close_old_connections()
        stop.wait(restart_after)


class Command(BaseCommand):
    help = "Serve the site and API with beat's periodic work run in-process (the embedded default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        # Once, in runserver's parent process, before it starts the child that serves (RUN_MAIN=true).
        collected = not getattr(settings, "WHITENOISE_USE_FINDERS", settings.DEBUG)
        if collected and os.environ.get("RUN_MAIN") != "true":
            call_command("collectstatic", interactive=False, verbosity=0)
        eager = settings.CELERY_TASK_ALWAYS_EAGER
        # runserver's autoreloader re-runs this command in a child process (RUN_MAIN=true): the
        # scheduler belongs there, once.
        if eager and os.environ.get("RUN_MAIN") == "true":
            # A line per successful sweep every 15 s would drown the request log; failures still show.
            logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
            threading.Thread(target=run_due_tasks_forever, name="in-process-beat", daemon=True).start()
            if streams_enabled():
                threading.Thread(target=count_stream_messages_forever, name="stream-counter", daemon=True).start()
        elif not eager and os.environ.get("RUN_MAIN") != "true":
            self.stdout.write("A broker is configured: run `make worker` and `make beat` for background work.")
        call_command("runserver", options["addrport"])
