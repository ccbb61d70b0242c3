"""The Celery application. Broker and behaviour come from Django settings (``CELERY_*``)."""

import logging
import logging.config
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging, worker_process_shutdown

from config.request_id import request_id_connect_celery

# `celery -A config worker` on a server is a deployment: production settings unless told otherwise (`make worker`
# and `make beat` say config.settings.local). manage.py sets its own default before this runs.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("ichiba")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks carry the request id of the request (or task) that published them (config/request_id.py).
request_id_connect_celery()


@setup_logging.connect(weak=False)
def _log_as_every_process(loglevel: Any = None, **_: Any) -> None:
    """Workers and beat log through Django's ``LOGGING`` (structured lines, config/logging.py) instead of Celery's
    own set-up; only the level is Celery's (``-l``). Connected, this keeps Celery from configuring logging."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel if isinstance(loglevel, int) else str(loglevel).upper())


@worker_process_shutdown.connect
def _metrics_process_dead(pid: int, **kwargs: object) -> None:
    """A prefork child that exits leaves its counts (they are cumulative) but is marked dead, like gunicorn's
    workers (gunicorn.conf.py), when the pool shares a metrics folder (config/metrics.py)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
