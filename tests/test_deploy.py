"""The systemd units in deploy/systemd run commands that exist, with options their programs accept, for pools and
shards that exist; the example /etc/ichiba/env names only settings the market reads and starts the production
settings; the operations page names every unit and pool; and ``systemd-analyze verify`` accepts the units as
installed here (skipped, saying so, where the tool is missing).

The units are written for an installation in /opt/ichiba (the checkout, its .venv) run by the user ``ichiba``;
the verification rewrites those paths to this checkout, since systemd checks that each command is executable.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from config.workers import pools, worker_command
from tests.builders import run_python

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "deploy" / "systemd"
INSTALLED = Path("/opt/ichiba")
ENV_FILE = "/etc/ichiba/env"
SERVICES = (
    "ichiba-web.service",
    "ichiba-worker@.service",
    "ichiba-beat.service",
    "ichiba-streams-counter.service",
    "ichiba-matcher@.service",
)
# Read by programs other than Django's settings: gunicorn (its workers, further flags) and every entry point.
NOT_SETTINGS = {"WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "DJANGO_SETTINGS_MODULE"}
# What every long-running unit keeps: no privileges, a read-only system, no home directories, its own /tmp.
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "CapabilityBoundingSet": "",
    "RestrictSUIDSGID": "yes",
    "SystemCallArchitectures": "native",
}


@dataclass
class Unit:
    name: str
    sections: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def values(self, section: str, key: str) -> list[str]:
        return [value for name, value in self.sections.get(section, []) if name == key]

    def value(self, section: str, key: str) -> str:
        [value] = self.values(section, key)
        return value

    def environment(self) -> dict[str, str]:
        items = (item for line in self.values("Service", "Environment") for item in shlex.split(line))
        return dict(item.split("=", 1) for item in items)

    def command(self, instance: str = "") -> list[str]:
        return [word.replace("%i", instance) for word in shlex.split(self.value("Service", "ExecStart"))]


def read_unit(name: str) -> Unit:
    """A unit file's sections as (key, value) pairs in order (a key may repeat, as systemd allows)."""
    unit = Unit(name)
    section: list[tuple[str, str]] = []
    for raw in (UNITS / name).read_text().replace("\\\n", " ").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = unit.sections.setdefault(line.strip("[]"), [])
            continue
        key, _, value = line.partition("=")
        section.append((key.strip(), value.strip()))
    return unit


def read_env_file() -> dict[str, str]:
    """deploy/systemd/env.example as systemd's EnvironmentFile reads it (comment lines, optional quotes)."""
    values = {}
    for raw in (UNITS / "env.example").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        name, separator, value = line.partition("=")
        assert separator and re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"not KEY=value: {raw!r}"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def settings_read_from_the_environment() -> set[str]:
    """Every variable config/ reads through config.env (``env.str("NAME", ...)`` and the like)."""
    pattern = re.compile(r"env\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"")
    return {name for path in (ROOT / "config").rglob("*.py") for name in pattern.findall(path.read_text())}


def celery_pool_names() -> set[str]:
    return {pool.name for pool in pools() if pool.execution != "counter"}


# --- the units ---------------------------------------------------------------------------------------------------


def test_the_units_are_the_ones_documented_and_each_belongs_to_the_target() -> None:
    assert sorted(path.name for path in UNITS.glob("ichiba*")) == sorted([*SERVICES, "ichiba.target"])
    operations = (ROOT / "docs" / "operations.md").read_text()
    for name in [*SERVICES, "ichiba.target", "env.example"]:
        assert name in operations, f"docs/operations.md does not name deploy/systemd/{name}"
    assert read_unit("ichiba.target").value("Install", "WantedBy") == "multi-user.target"
    for name in SERVICES:
        unit = read_unit(name)
        # `systemctl stop|restart ichiba.target` reaches it, and enabling it attaches it to the target.
        assert unit.value("Unit", "PartOf") == "ichiba.target", name
        assert unit.value("Install", "WantedBy") == "ichiba.target", name


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_runs_as_ichiba_on_the_production_settings_and_hardened(name: str) -> None:
    unit = read_unit(name)
    assert unit.value("Service", "User") == "ichiba"
    assert unit.value("Service", "EnvironmentFile") == ENV_FILE
    assert unit.value("Service", "WorkingDirectory") == str(INSTALLED)
    # manage.py's own default is the local settings: a unit must never fall back to them.
    assert unit.environment()["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    for key, expected in HARDENING.items():
        assert unit.value("Service", key) == expected, f"{name}: {key}"
    program = Path(unit.command("x")[0])
    assert program.parent == INSTALLED / ".venv" / "bin", f"{name} runs {program}, not from the installation's venv"
    assert (Path(sys.executable).parent / program.name).exists(), f"{program.name} is not installed in this venv"


def test_the_web_unit_serves_the_wsgi_application_under_gunicorn_with_its_own_metrics_directory() -> None:
    from gunicorn.config import Config

    unit = read_unit("ichiba-web.service")
    program, *arguments = unit.command()
    assert Path(program).name == "gunicorn"
    parsed = Config().parser().parse_args(arguments)  # an unknown flag exits here
    assert parsed.args == ["config.wsgi:application"]
    # The flags the example environment passes through GUNICORN_CMD_ARGS are gunicorn's too.
    Config().parser().parse_args(["config.wsgi:application", *shlex.split(read_env_file()["GUNICORN_CMD_ARGS"])])
    # Samples of gunicorn's worker processes go to a directory systemd empties at every start; gunicorn.conf.py,
    # which gunicorn reads from its working directory (the installation's root), marks exited workers dead there.
    assert (ROOT / "gunicorn.conf.py").is_file()
    runtime = unit.value("Service", "RuntimeDirectory")
    assert unit.environment()["PROMETHEUS_MULTIPROC_DIR"] == f"/run/{runtime}"
    assert unit.value("Service", "Type") == "notify" and unit.value("Service", "KillMode") == "mixed"


def test_the_worker_template_starts_each_pool_through_manage_py_workers() -> None:
    unit = read_unit("ichiba-worker@.service")
    workers = load_command_class("config", "workers")
    for pool in pools():
        program, script, command, *arguments = unit.command(pool.name)
        assert (Path(program).name, Path(script), command) == ("python", INSTALLED / "manage.py", "workers")
        options = workers.create_parser("manage.py", "workers").parse_args(arguments)  # an unknown pool exits
        assert options.pool == [pool.name]
        assert worker_command(pool)  # the command manage.py workers runs for it
    assert celery_pool_names() == {"settlement", "validation", "profiling", "webhooks"}
    # Warm shutdown: SIGTERM to manage.py only, which passes it on to Celery.
    assert unit.value("Service", "KillMode") == "mixed"


def test_the_beat_unit_runs_celery_beat_of_this_app_with_options_beat_accepts() -> None:
    from celery.bin.celery import celery as celery_command

    from config.celery import app

    unit = read_unit("ichiba-beat.service")
    program, *arguments = unit.command()
    assert Path(program).name == "celery"
    assert arguments[:3] == ["-A", "config", "beat"]
    beat = celery_command.commands["beat"]
    parsed = beat.make_context("beat", arguments[3:], obj=types.SimpleNamespace(app=app)).params  # unknown: raises
    # The schedule file lives in the unit's state directory: the code's directory is read-only.
    assert parsed["schedule"].startswith(f"/var/lib/{unit.value('Service', 'StateDirectory')}/")


def test_the_streams_counter_unit_runs_the_counter_the_workers_command_would() -> None:
    program, script, command = read_unit("ichiba-streams-counter.service").command()
    assert (Path(program).name, Path(script)) == ("python", INSTALLED / "manage.py")
    assert command == "count_stream_messages" and get_commands()[command] == "streams"


def test_the_matcher_template_runs_the_matcher_of_the_shard_its_instance_names() -> None:
    unit = read_unit("ichiba-matcher@.service")
    run_matcher = load_command_class("marketplace", "run_matcher")
    for shard in ("0", "1"):
        program, script, command, *arguments = unit.command(shard)
        assert (Path(program).name, Path(script), command) == ("python", INSTALLED / "manage.py", "run_matcher")
        assert get_commands()[command] == "marketplace"
        options = run_matcher.create_parser("manage.py", "run_matcher").parse_args(arguments)  # unknown: exits
        assert options.shard == int(shard)
    # A dead matcher comes back, as the standby of the one that took its shard over.
    assert unit.value("Service", "Restart") == "always"


def test_the_operations_page_names_every_pool_and_no_other() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text()
    named = set(re.findall(r"ichiba-worker@([a-z]+)", operations))
    assert named == celery_pool_names()


# --- the example environment ---------------------------------------------------------------------------------------


def test_the_example_environment_names_only_settings_the_market_reads() -> None:
    unknown = set(read_env_file()) - settings_read_from_the_environment() - NOT_SETTINGS
    assert not unknown, f"deploy/systemd/env.example names what nothing reads: {sorted(unknown)}"


def test_the_production_settings_start_from_the_example_environment() -> None:
    """Every setting production requires is in the example (placeholders of the right shape), and Django's
    deployment checks find no error with it."""
    result = run_python("", "manage.py", "check", "--deploy", "--fail-level", "ERROR", **read_env_file())
    assert result.returncode == 0, result.stderr[-3000:]


# --- systemd's own verdict --------------------------------------------------------------------------------------------


def test_systemd_analyze_verifies_the_units_as_installed_here(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the units were checked above without systemd's own verdict")
    venv = Path(sys.executable).parent.parent
    environment = tmp_path / "env"
    environment.write_text((UNITS / "env.example").read_text())
    installed = []
    for name in [*SERVICES, "ichiba.target"]:
        text = (UNITS / name).read_text()
        text = text.replace(f"{INSTALLED}/.venv", str(venv)).replace(str(INSTALLED), str(ROOT))
        text = text.replace(ENV_FILE, str(environment))
        if name == "ichiba-worker@.service":
            targets = [f"ichiba-worker@{pool}.service" for pool in sorted(celery_pool_names())]
        elif name == "ichiba-matcher@.service":
            targets = ["ichiba-matcher@0.service", "ichiba-matcher@1.service"]
        else:
            targets = [name]
        for target in targets:
            (tmp_path / target).write_text(text)
            installed.append(str(tmp_path / target))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *installed], capture_output=True, text=True, timeout=120, check=False
    )
    # An unknown key or a bad value is only a warning to systemd (the unit still loads): any output fails here.
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), (
        result.stdout + result.stderr
    )
