"""The DSP 2025-1 JSON schemas, vendored unchanged under ``schemas/`` (their ``$id``s are the spec's URLs, resolved
here from the files: nothing is fetched), and the one check every message goes through."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

DIRECTORY = Path(__file__).resolve().parent / "schemas"
BASE = "https://w3id.org/dspace/2025/1/"

# The message types Ichiba checks, by their schema file below DIRECTORY.
CATALOG_REQUEST_MESSAGE = "catalog/catalog-request-message-schema.json"
CATALOG = "catalog/catalog-schema.json"
DATASET = "catalog/dataset-schema.json"
CATALOG_ERROR = "catalog/catalog-error-schema.json"
VERSIONS = "common/protocol-version-schema.json"


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(DIRECTORY.glob("*/*-schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents, default_specification=DRAFT201909)))
    return Registry().with_resources(resources)


@cache
def _validator(name: str) -> Draft201909Validator:
    schema = _registry().contents(f"{BASE}{name}")
    return Draft201909Validator(schema, registry=_registry())


def message_errors(message: Any, schema: str) -> list[str]:
    """What is wrong with ``message`` against the schema ``schema`` (one of the names above), each as
    ``<JSON path>: <what>``; empty when it is valid."""
    errors = sorted(_validator(schema).iter_errors(message), key=lambda error: error.json_path)
    return [f"{error.json_path}: {error.message}" for error in errors]
