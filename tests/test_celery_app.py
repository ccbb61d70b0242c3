"""How a Celery worker finds the tasks: each app's ``tasks`` module, by autodiscovery alone, each task on its queue;
and which pool consumes each queue (``make worker``), so partner webhooks never run beside payments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Task names are a contract with queued messages and the beat schedule: renaming one strands what is queued.
QUEUES = {
    "api.purge_idempotency_records": "default",
    "dataspace.callbacks.deliver": "webhooks",
    "dataspace.callbacks.sweep": "webhooks",
    "dataspace.negotiations.payment_update": "default",
    "catalog.profile_version": "profiling",
    "catalog.sweep_unprofiled_versions": "validation",
    "catalog.sweep_validating_versions": "validation",
    "catalog.validate_version": "validation",
    "deals.close_auctions": "default",
    "deals.expire_private_offers": "default",
    "marketplace.expire_orders": "default",
    "marketplace.send_mail": "default",
    "oversight.finish_takedown": "settlement",
    "oversight.finish_takedowns": "settlement",
    "settlement.authorize": "settlement",
    "settlement.authorize_many": "settlement",
    "settlement.capture": "settlement",
    "settlement.check_delivery": "settlement",
    "settlement.close_periods": "settlement",
    "settlement.expire_entitlements": "settlement",
    "settlement.pay_out": "settlement",
    "settlement.payout_send": "settlement",
    "settlement.reconcile": "settlement",
    "settlement.release": "settlement",
    "settlement.sweep": "settlement",
    "settlement.webhooks.deliver": "webhooks",
    "settlement.webhooks.sweep": "webhooks",
    "streams.apply_client": "default",
    "streams.reconcile": "default",
    "streams.sweep": "default",
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


# --- the worker pools `make worker` starts -----------------------------------------------------------------


def _make_worker_recipe() -> list[str]:
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("worker:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_make_worker_starts_one_worker_per_pool_and_only_the_webhooks_pool_takes_deliveries() -> None:
    """A slow partner fills the webhooks pool alone: no other pool consumes the queue deliveries are routed to."""
    assert [line.split()[-3:] for line in _make_worker_recipe()] == [["$(BIN)/python", "manage.py", "workers"]]
    # What `manage.py workers` starts, as it starts it, in a fresh interpreter with a queue prefix of its own.
    script = (
        "import json, os, shlex, subprocess, sys\n"
        "from django.conf import settings\n"
        "import django\n"
        "django.setup()\n"
        "from config.celery import app\n"
        "command = [sys.executable, 'manage.py', 'workers', '--print']\n"
        "printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout\n"
        "routes = {name: app.amqp.router.route({}, name)['queue'].name for name in\n"
        "          ('settlement.webhooks.deliver', 'settlement.webhooks.sweep', 'settlement.authorize',\n"
        "           'settlement.capture', 'catalog.validate_version', 'catalog.profile_version',\n"
        "           'marketplace.expire_orders')}\n"
        "print(json.dumps({'commands': [shlex.split(line) for line in printed.splitlines()], 'routes': routes}))\n"
    )
    environment = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "ICHIBA_CELERY_QUEUE_PREFIX": "pools-"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    consumed: dict[str, set[str]] = {}
    for command in found["commands"]:
        assert command[1:6] == ["-m", "celery", "-A", "config", "worker"], command
        name = command[command.index("-n") + 1].split("@")[0]
        consumed[name] = set(command[command.index("-Q") + 1].split(","))
        assert int(command[command.index("-c") + 1]) >= 1
    assert consumed == {
        "settlement": {"pools-settlement", "pools-default"},
        "validation": {"pools-validation"},
        "profiling": {"pools-profiling"},
        "webhooks": {"pools-webhooks"},
    }
    routes = found["routes"]
    deliveries = routes["settlement.webhooks.deliver"]
    assert deliveries == routes["settlement.webhooks.sweep"] == "pools-webhooks"
    assert [pool for pool, queues in consumed.items() if deliveries in queues] == ["webhooks"]
    assert routes["settlement.authorize"] == routes["settlement.capture"] == "pools-settlement"
    assert routes["catalog.validate_version"] in consumed["validation"]
    assert routes["catalog.profile_version"] in consumed["profiling"]
    assert routes["marketplace.expire_orders"] in consumed["settlement"]
    # Every queue a task can be routed to has exactly one pool.
    all_queues = [queue for queues in consumed.values() for queue in queues]
    assert len(all_queues) == len(set(all_queues))
