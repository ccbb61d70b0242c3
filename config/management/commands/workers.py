"""``manage.py workers`` (``make worker``): one Celery worker per pool (config/workers.py), started together.

Each pool runs as its own process tree, so a slow partner's webhooks fill only the webhooks pool. The command
stays in the foreground, passes SIGINT/SIGTERM on to every worker (a warm shutdown: running tasks finish), and
if one worker exits it stops the others and exits with that worker's status, so a supervisor sees the failure
and restarts the lot. ``--print`` shows the commands instead, one a line, to run each pool on machines of its
own; ``--pool`` starts only the pools named.

Metrics (docs/operations.md#metrics, ADR 23): the workers count what they do (settlement steps, webhook deliveries,
validations) into a metrics folder shared by all their processes (their ``PROMETHEUS_MULTIPROC_DIR``):
``ICHIBA_WORKER_METRICS_DIR``, emptied here first, else a temporary folder of the command's own; with
``ICHIBA_WORKER_METRICS_PORT`` set this command serves the folder's sums at
``http://ICHIBA_WORKER_METRICS_HOST:port/metrics``. With neither set the workers count nothing anyone reads.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.market import market_settings
from config.metrics import multiprocess_directory_clean, worker_metrics_server
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
        market = market_settings()
        directory = str(market.worker_metrics_dir or "")
        own_directory = not directory and market.worker_metrics_port > 0
        if own_directory:
            directory = tempfile.mkdtemp(prefix="ichiba-worker-metrics-")
        if directory:
            multiprocess_directory_clean(directory)
            environment["PROMETHEUS_MULTIPROC_DIR"] = directory
        else:  # a folder meant for the web processes (a shared environment file) is not the workers' to write to
            environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
        if market.worker_metrics_port:
            try:
                server = worker_metrics_server(
                    directory=directory,
                    host=market.worker_metrics_host,
                    port=market.worker_metrics_port,
                    token=market.metrics_token,
                )
            except OSError as error:  # the port is taken, or the address is not this machine's
                if own_directory:
                    shutil.rmtree(directory, ignore_errors=True)
                address = f"{market.worker_metrics_host}:{market.worker_metrics_port}"
                raise CommandError(f"cannot serve the workers' metrics on {address}: {error}") from None
            self.stdout.write(f"Worker metrics on http://{market.worker_metrics_host}:{server.server_port}/metrics")
        try:
            self._run(commands, environment)
        finally:
            if own_directory:
                shutil.rmtree(directory, ignore_errors=True)

    def _run(self, commands: dict[str, list[str]], environment: dict[str, str]) -> None:
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
