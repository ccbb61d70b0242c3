"""How a Celery worker finds the tasks: each app's ``tasks`` module, by autodiscovery alone, each task on its queue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Task names are a contract with queued messages and the beat schedule: renaming one strands what is queued.
QUEUES = {
    "api.purge_idempotency_records": "default",
    "catalog.sweep_validating_versions": "validation",
    "catalog.validate_version": "validation",
    "marketplace.expire_orders": "default",
    "settlement.authorize": "settlement",
    "settlement.capture": "settlement",
    "settlement.check_delivery": "settlement",
    "settlement.expire_entitlements": "settlement",
    "settlement.pay_out": "settlement",
    "settlement.payout_send": "settlement",
    "settlement.reconcile": "settlement",
    "settlement.sweep": "settlement",
    "settlement.webhooks.deliver": "webhooks",
    "settlement.webhooks.sweep": "webhooks",
}


def test_a_worker_registers_every_task_by_autodiscovery_alone_each_on_its_queue() -> None:
    # A fresh interpreter, started the way `celery -A config worker` starts: this test process has long
    # imported every module, so asking its own app would find tasks no worker would.
    script = (
        "import json, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.test'\n"
        "from config.celery import app\n"
        "import django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "app.loader.import_default_modules()\n"
        "prefix = settings.CELERY_QUEUE_PREFIX\n"
        "queues = {name: app.amqp.router.route({}, name)['queue'].name.removeprefix(prefix)\n"
        "          for name in app.tasks if not name.startswith('celery.')}\n"
        "print(json.dumps({'imports': list(app.conf.imports), 'queues': queues}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["imports"] == [], "no task module needs naming: every app keeps its tasks in <app>.tasks"
    assert found["queues"] == QUEUES
