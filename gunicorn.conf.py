"""gunicorn's settings for the market's web processes, read by gunicorn from the folder it starts in (or ``-c
gunicorn.conf.py``). Command-line options still win, so this only adds what every deployment needs.

Metrics (docs/operations.md#metrics): with ``PROMETHEUS_MULTIPROC_DIR`` set, each worker process writes its counts
to files there and ``/metrics``, served by any worker, sums them all. The folder is emptied when the server starts
(counts left by an earlier run must not be added to this one's) and a worker that exits is marked dead. Kept free of
Django: the master process never loads the application.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

wsgi_app = "config.wsgi:application"


def _metrics_directory() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server: Any) -> None:
    directory = _metrics_directory()
    if not directory:
        return
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    if _metrics_directory():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
