"""``manage.py client`` (``make client``): the OpenAPI document and the partner clients generated from it.

Writes, under ``clients/`` (or ``--output``):

- ``openapi.yaml``: the document drf-spectacular makes of the API, in English (ADR 9), with PostgreSQL's integer
  ranges, in a process of its own (so nothing cached before changes it), refused if drf-spectacular warns;
- ``python/``: the typed Python client (package ``ichiba-client``, module ``ichiba_client``), made by
  openapi-python-client with the configuration in ``clients/openapi-python-client.yaml`` and the README template in
  ``clients/python-templates/``, formatted by this virtualenv's ruff (the generator's post hooks);
- ``typescript/schema.d.ts``: the document's types, made by openapi-typescript as pinned in
  ``clients/typescript/package-lock.json`` (when ``npm ci`` installed it there; without node the types are left
  as they are, and the command says so).

The same input gives byte-identical output: every tool is pinned, the generators sort what they write, and nothing
written carries a date or a path. tests/test_clients.py regenerates into a temporary folder and compares, so a
change to the API that was not followed by ``make client`` fails the suite. ADR 25 says why these generators.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import MethodType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import translation

CLIENTS = Path(settings.BASE_DIR) / "clients"
PYTHON_CONFIG = CLIENTS / "openapi-python-client.yaml"
PYTHON_TEMPLATES = CLIENTS / "python-templates"
TYPESCRIPT = CLIENTS / "typescript"
OPENAPI_TYPESCRIPT = TYPESCRIPT / "node_modules" / ".bin" / "openapi-typescript"
# A field with a default is one a request may leave out: optional in the types (openapi-typescript would make it
# required). Responses are unaffected, since the document lists every field a response always has as required.
OPENAPI_TYPESCRIPT_OPTIONS = ("--default-non-nullable=false",)
# What generating and installing leave in the Python client's folder besides the generated files.
BUILD_LEFTOVERS = ("__pycache__", "build", "dist", ".ruff_cache", ".mypy_cache")


def _tools_path() -> str:
    """PATH with this virtualenv's scripts first: the generator's post hooks run the pinned ruff, not another."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def use_postgresql_integer_ranges() -> None:
    """Model integer fields bounded as on PostgreSQL, the production database, whatever database this process uses.

    A model field's range validators come from the connection (SQLite allows 64 bits everywhere, PostgreSQL 16 or 32
    bits for a small or plain integer), and the document states them as ``maximum``: without this the document, and
    so the committed clients, would depend on the database the command ran with. Only for a process that generates
    nothing else (``--schema-only``): a field caches its validators once computed (dropped here), and so does a
    serializer instance its fields."""
    operations = connection.ops
    operations.integer_field_range = MethodType(BaseDatabaseOperations.integer_field_range, operations)  # type: ignore[method-assign]
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            field.__dict__.pop("validators", None)


def write_schema(target: Path) -> None:
    """The document, made in a process of its own: nothing this one computed or cached before (a test's requests,
    a serializer's fields) can change it."""
    run = subprocess.run(  # noqa: S603 - this project's manage.py, fixed arguments
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "client", "--schema-only", str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE},
        check=False,
    )
    if run.returncode != 0 or not target.is_file():
        raise CommandError(f"the OpenAPI document could not be generated:\n{run.stdout}\n{run.stderr}")


def write_python_client(schema: Path, target: Path) -> None:
    """The client, generated next to ``target`` and then moved in whole, so a failed run leaves the old one."""
    generator = Path(sys.executable).parent / "openapi-python-client"
    with tempfile.TemporaryDirectory(prefix="ichiba-client-") as scratch:
        out = Path(scratch) / "python"
        command = [
            str(generator),
            "generate",
            f"--path={schema}",
            f"--config={PYTHON_CONFIG}",
            f"--custom-template-path={PYTHON_TEMPLATES}",
            "--meta=setup",
            f"--output-path={out}",
            "--fail-on-warning",
        ]
        run = subprocess.run(  # noqa: S603 - our own virtualenv's generator, fixed arguments
            command, capture_output=True, text=True, env={**os.environ, "PATH": _tools_path()}, check=False
        )
        if run.returncode != 0 or not (out / "ichiba_client").is_dir():
            raise CommandError(f"openapi-python-client failed:\n{run.stdout}\n{run.stderr}")
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(out, target, ignore=shutil.ignore_patterns(*BUILD_LEFTOVERS))


def write_typescript_types(schema: Path, target: Path) -> bool:
    """``schema.d.ts`` from the document; False when openapi-typescript is not installed (``npm ci``)."""
    if not OPENAPI_TYPESCRIPT.exists() or shutil.which("node") is None:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(  # noqa: S603 - the pinned tool of clients/typescript, fixed arguments
        [str(OPENAPI_TYPESCRIPT), str(schema), *OPENAPI_TYPESCRIPT_OPTIONS, "--output", str(target)],
        cwd=TYPESCRIPT,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise CommandError(f"openapi-typescript failed:\n{run.stdout}\n{run.stderr}")
    return True


class Command(BaseCommand):
    help = "Write the OpenAPI document to clients/openapi.yaml and generate the Python client and TypeScript types."
    requires_system_checks: list[str] = []  # a generator, not a server; `make lint` and the suite run the checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=CLIENTS, help="Write here instead of clients/.")
        parser.add_argument("--no-typescript", action="store_true", help="Leave the TypeScript types out.")
        parser.add_argument("--schema-only", type=Path, help=argparse.SUPPRESS)  # write_schema's own process

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schema_only"]:
            use_postgresql_integer_ranges()
            with translation.override("en"):
                call_command("spectacular", file=str(options["schema_only"]), validate=True, fail_on_warn=True)
            return
        output: Path = options["output"].resolve()
        output.mkdir(parents=True, exist_ok=True)
        schema = output / "openapi.yaml"
        write_schema(schema)
        self.stdout.write(f"wrote {schema}")
        write_python_client(schema, output / "python")
        self.stdout.write(f"wrote {output / 'python'}")
        if options["no_typescript"]:
            return
        if write_typescript_types(schema, output / "typescript" / "schema.d.ts"):
            self.stdout.write(f"wrote {output / 'typescript' / 'schema.d.ts'}")
        else:
            self.stderr.write(
                "TypeScript types not regenerated: openapi-typescript is not installed "
                "(install node, then run `npm ci` in clients/typescript)"
            )
