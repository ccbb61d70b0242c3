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


def test_a_web_process_registers_every_scheduled_task_before_running_it() -> None:
    """runserver imports no tasks module by itself: the in-process beat must, or nothing is registered."""
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import django, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.test'\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from config.celery import app\n"
        "def missing():\n"
        "    return [e['task'] for e in settings.CELERY_BEAT_SCHEDULE.values() if e['task'] not in app.tasks]\n"
        "before = missing()\n"
        "app.loader.import_default_modules()\n"
        "print(bool(before), missing())\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip().splitlines()[-1] == "True []", result.stderr[-2000:]
