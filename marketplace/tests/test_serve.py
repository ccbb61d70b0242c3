"""``manage.py serve`` (``make run``) runs beat's periodic tasks in-process on their schedule."""

from __future__ import annotations

import threading

import pytest
from django.test import override_settings

from config.celery import app
from marketplace.management.commands.serve import run_due_tasks_forever

runs: list[int] = []


@app.task(name="tests.serve_probe")
def probe() -> None:
    runs.append(1)


@pytest.mark.django_db
def test_due_tasks_run_in_process_on_their_interval() -> None:
    stop = threading.Event()
    schedule = {"probe": {"task": "tests.serve_probe", "schedule": 0.05}}
    with override_settings(CELERY_BEAT_SCHEDULE=schedule):
        worker = threading.Thread(target=run_due_tasks_forever, kwargs={"tick": 0.02, "stop": stop})
        worker.start()
        try:
            deadline = threading.Event()
            for _ in range(200):
                if len(runs) >= 3:
                    break
                deadline.wait(0.02)
        finally:
            stop.set()
            worker.join(timeout=5)
    assert len(runs) >= 3
