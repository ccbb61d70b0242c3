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
CONTRACT_REQUEST_MESSAGE = "negotiation/contract-request-message-schema.json"
CONTRACT_OFFER_MESSAGE = "negotiation/contract-offer-message-schema.json"
CONTRACT_AGREEMENT_MESSAGE = "negotiation/contract-agreement-message-schema.json"
CONTRACT_AGREEMENT_VERIFICATION_MESSAGE = "negotiation/contract-agreement-verification-message-schema.json"
CONTRACT_NEGOTIATION_EVENT_MESSAGE = "negotiation/contract-negotiation-event-message-schema.json"
CONTRACT_NEGOTIATION_TERMINATION_MESSAGE = "negotiation/contract-negotiation-termination-message-schema.json"
CONTRACT_NEGOTIATION = "negotiation/contract-negotiation-schema.json"
CONTRACT_NEGOTIATION_ERROR = "negotiation/contract-negotiation-error-schema.json"
TRANSFER_REQUEST_MESSAGE = "transfer/transfer-request-message-schema.json"
TRANSFER_START_MESSAGE = "transfer/transfer-start-message-schema.json"
TRANSFER_COMPLETION_MESSAGE = "transfer/transfer-completion-message-schema.json"
TRANSFER_SUSPENSION_MESSAGE = "transfer/transfer-suspension-message-schema.json"
TRANSFER_TERMINATION_MESSAGE = "transfer/transfer-termination-message-schema.json"
TRANSFER_PROCESS = "transfer/transfer-process-schema.json"
TRANSFER_ERROR = "transfer/transfer-error-schema.json"

# Each message type's schema, by its ``@type``.
_BY_TYPE = {
    "CatalogRequestMessage": CATALOG_REQUEST_MESSAGE,
    "Catalog": CATALOG,
    "Dataset": DATASET,
    "CatalogError": CATALOG_ERROR,
    "ContractRequestMessage": CONTRACT_REQUEST_MESSAGE,
    "ContractOfferMessage": CONTRACT_OFFER_MESSAGE,
    "ContractAgreementMessage": CONTRACT_AGREEMENT_MESSAGE,
    "ContractAgreementVerificationMessage": CONTRACT_AGREEMENT_VERIFICATION_MESSAGE,
    "ContractNegotiationEventMessage": CONTRACT_NEGOTIATION_EVENT_MESSAGE,
    "ContractNegotiationTerminationMessage": CONTRACT_NEGOTIATION_TERMINATION_MESSAGE,
    "ContractNegotiation": CONTRACT_NEGOTIATION,
    "ContractNegotiationError": CONTRACT_NEGOTIATION_ERROR,
    "TransferRequestMessage": TRANSFER_REQUEST_MESSAGE,
    "TransferStartMessage": TRANSFER_START_MESSAGE,
    "TransferCompletionMessage": TRANSFER_COMPLETION_MESSAGE,
    "TransferSuspensionMessage": TRANSFER_SUSPENSION_MESSAGE,
    "TransferTerminationMessage": TRANSFER_TERMINATION_MESSAGE,
    "TransferProcess": TRANSFER_PROCESS,
    "TransferError": TRANSFER_ERROR,
}


def by_type(message_type: str) -> str:
    """The schema of the message type ``message_type`` (KeyError for a type the protocol does not define)."""
    return _BY_TYPE[message_type]


def _pointer_fixed(value: Any) -> Any:
    """``value`` with each ``$ref`` fragment ``#definitions/x`` read as the JSON pointer ``#/definitions/x`` it means.

    Three of the published transfer schemas (the suspension and termination messages, the error) write their
    reference to ``AbstractTransferCodeMessage`` without the pointer's leading slash, which a conforming validator
    refuses to resolve. The files stay as published; the reference is mended as they are loaded."""
    if isinstance(value, dict):
        fixed = {key: _pointer_fixed(item) for key, item in value.items()}
        ref = fixed.get("$ref")
        if isinstance(ref, str) and "#definitions/" in ref:
            fixed["$ref"] = ref.replace("#definitions/", "#/definitions/")
        return fixed
    if isinstance(value, list):
        return [_pointer_fixed(item) for item in value]
    return value


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(DIRECTORY.glob("*/*-schema.json")):
        contents = _pointer_fixed(json.loads(path.read_text(encoding="utf-8")))
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
