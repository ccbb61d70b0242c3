"""``manage.py workers`` (``make worker``): one Celery worker per pool (config/workers.py), started together.

Each pool runs as its own process tree, so a slow partner's webhooks fill only the webhooks pool. The command
stays in the foreground, passes SIGINT/SIGTERM on to every worker (a warm shutdown: running tasks finish), and
if one worker exits it stops the others and exits with that worker's status, so a supervisor sees the failure
and restarts the lot. ``--print`` shows the commands instead, one a line, to run each pool on machines of its
own; ``--pool`` starts only the pools named.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.workers import pools, worker_command


class Command(BaseCommand):
    help = "Start one Celery worker per pool (settlement, validation, profiling, webhooks), or print their commands."

    def add_arguments(self, parser: CommandParser) -> None:
        names = [pool.name for pool in pools()]
        parser.add_argument("--pool", action="append", choices=names, help="Only this pool (repeatable).")
        parser.add_argument("--print", action="store_true", help="Print each pool's command and exit.")
        parser.add_argument("--loglevel", default="info")

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = [pool for pool in pools() if not options["pool"] or pool.name in options["pool"]]
        commands = {pool.name: worker_command(pool, loglevel=options["loglevel"]) for pool in chosen}
        if options["print"]:
            for command in commands.values():
                self.stdout.write(shlex.join(command))
            return
        # The workers read the settings this command read, whatever the default of their entry point.
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        workers = {
            name: subprocess.Popen(command, env=environment)  # noqa: S603 (our own command)
            for name, command in commands.items()
        }
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True
            for process in workers.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while True:
            exited = {name: process.returncode for name, process in workers.items() if process.poll() is not None}
            if exited:
                if not stopping:
                    stop(signal.SIGTERM, None)
                for process in workers.values():
                    process.wait()
                if not stopping:  # nobody asked: a supervisor must see it and restart the pools
                    raise CommandError(f"worker pool(s) exited on their own, with status: {exited}")
                return
            time.sleep(0.5)
