"""The contract negotiation protocol's messages (DSP 2025-1), provider side: what Ichiba answers and sends, and how
it reads the offer of a consumer's ``ContractRequestMessage``. Pure functions, no queries.

An offer the consumer sends back is compared with the catalog's offer of the same offering (``offer_message`` at the
current best ask) in two parts: its rules (everything but its ``@id``, ``@type``, ``target`` and the price) and its
price (the ``compensate`` duty's ``payAmount``, in major units, and its currency). The same rules with the current
price, or with no price stated, take the offer as it is: a fill-or-kill buy of one seat. Anything else is a
counter-offer (docs/dataspace.md, "Contract negotiation").

The agreement is the concluded METI contract as an ODRL ``Agreement`` (``contracts.odrl_export.contract_odrl``)
rewritten into DSP's context terms as the catalog's offers are: its ``@id`` is the contract's IRI (what a transfer
request names as ``agreementId``), its ``target`` the dataset's ``@id`` in the catalog, its price the ``compensate``
duty constrained to ``payAmount`` ``eq`` the amount (DSP's schema wants every action a string, so the refined
action of Ichiba's ODRL becomes a plain one with a constraint), and no rule has a ``target``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from contracts.models import Contract
from contracts.odrl import ICHIBA_NS, currency_iri, pay_amount
from contracts.odrl_export import contract_odrl
from dataspace.dsp import CONTEXT
from dataspace.dsp.catalog import _in_dsp_terms
from dataspace.dsp.errors import DspError
from dataspace.models import Negotiation

ERROR = "ContractNegotiationError"
DATASET_PREFIX = "urn:ichiba:dataset:"
AMOUNT_KEY = f"{ICHIBA_NS}amountMinorUnits"
# The keys of an offer that say which offer it is rather than what it states.
_IDENTITY_KEYS = ("@id", "@type", "target")
ODRL_NS = "http://www.w3.org/ns/odrl/2/"


def dataset_iri(dataset_id: Any) -> str:
    """A dataset's ``@id`` as the catalog states it (``dataspace.dcat``)."""
    return f"{DATASET_PREFIX}{dataset_id}"


def error(
    status: int, code: str, *reason: str, negotiation: Negotiation | None = None, consumer_pid: str = ""
) -> DspError:
    """A ``ContractNegotiationError`` naming the negotiation (or only the consumer's pid the request gave)."""
    return DspError(
        status,
        code,
        *reason,
        message_type=ERROR,
        provider_pid=negotiation.provider_pid if negotiation is not None else "",
        consumer_pid=negotiation.consumer_pid if negotiation is not None else consumer_pid,
    )


# --- what Ichiba answers and sends ---------------------------------------------------------------------------------


def _ids(negotiation: Negotiation) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "providerPid": negotiation.provider_pid,
        "consumerPid": negotiation.consumer_pid,
    }


def negotiation_message(negotiation: Negotiation) -> dict[str, Any]:
    """The ``ContractNegotiation`` (the answer to a GET and to an initial request): its state as Ichiba holds it."""
    return {**_ids(negotiation), "@type": "ContractNegotiation", "state": negotiation.state}


def agreement_message(negotiation: Negotiation, contract: Contract) -> dict[str, Any]:
    return {**_ids(negotiation), "@type": "ContractAgreementMessage", "agreement": agreement(contract)}


def event_message(negotiation: Negotiation, event_type: str) -> dict[str, Any]:
    return {**_ids(negotiation), "@type": "ContractNegotiationEventMessage", "eventType": event_type}


def termination_message(negotiation: Negotiation) -> dict[str, Any]:
    message = {**_ids(negotiation), "@type": "ContractNegotiationTerminationMessage"}
    message["code"] = negotiation.termination_code
    if negotiation.termination_reason:
        message["reason"] = [negotiation.termination_reason]
    return message


def agreement(contract: Contract) -> dict[str, Any]:
    """The contract as DSP's ``Agreement`` (see the module's docstring)."""
    policy = contract_odrl(contract)
    policy.pop("@context")
    uid = policy.pop("uid")
    policy.pop("target")
    for permission in policy.get("permission", []):
        if "duty" in permission:
            permission["duty"] = [_plain_compensate(duty) for duty in permission["duty"]]
    rewritten: dict[str, Any] = _in_dsp_terms(
        {"@id": uid, "@type": "Agreement", **{k: v for k, v in policy.items() if k != "@type"}}
    )
    rewritten["target"] = dataset_iri(contract.dataset_id)
    rewritten["timestamp"] = contract.concluded_at.isoformat().replace("+00:00", "Z")
    return rewritten


def _plain_compensate(duty: dict[str, Any]) -> dict[str, Any]:
    """Ichiba's refined ``compensate`` action (``{"rdf:value": compensate, "refinement": [payAmount ...]}``) as a
    plain action constrained to the amount, as the catalog's offers state the price."""
    action = duty.get("action")
    if not isinstance(action, dict):
        return duty
    plain = {key: value for key, value in duty.items() if key != "action"}
    return {"action": "compensate", "constraint": copy.deepcopy(action.get("refinement", [])), **plain}


# --- reading the consumer's offer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Priced:
    """The price an offer states: ``amount`` in major units of the currency ``unit`` (an IRI), or None for both
    when it states none. ``malformed``: it states one Ichiba cannot read (then it is not the catalog's offer)."""

    amount: Decimal | None
    unit: str | None
    malformed: bool = False


def offer_price(offer: dict[str, Any]) -> Priced:
    """The ``payAmount`` of the offer's ``compensate`` duties (the first stated)."""
    for permission in _list(offer.get("permission")):
        for duty in _list(permission.get("duty") if isinstance(permission, dict) else None):
            if not _is_compensate(duty):
                continue
            for constraint in _list(duty.get("constraint")):
                if not _is_price(constraint):
                    continue
                operand = constraint.get("rightOperand")
                value = operand.get("@value") if isinstance(operand, dict) else operand
                unit = constraint.get("unit", constraint.get("odrl:unit"))
                unit_iri = unit.get("@id") if isinstance(unit, dict) else unit
                try:
                    amount = Decimal(str(value))
                except (InvalidOperation, ValueError):
                    return Priced(None, None, malformed=True)
                if constraint.get("operator") != "eq" or not amount.is_finite() or not isinstance(unit_iri, str):
                    return Priced(None, None, malformed=True)
                return Priced(amount, unit_iri)
    return Priced(None, None)


def offer_rules(offer: dict[str, Any]) -> dict[str, Any]:
    """What the offer states but its identity and its price: compared as a whole with the catalog's."""
    rules = {key: copy.deepcopy(value) for key, value in offer.items() if key not in _IDENTITY_KEYS}
    for permission in _list(rules.get("permission")):
        for duty in _list(permission.get("duty") if isinstance(permission, dict) else None):
            if _is_compensate(duty):
                duty.pop(AMOUNT_KEY, None)
                kept = [c for c in _list(duty.get("constraint")) if not _is_price(c)]
                if kept:
                    duty["constraint"] = kept
                else:
                    duty.pop("constraint", None)
    return rules


def same_price(priced: Priced, *, ask: int, currency: str) -> bool:
    """Whether the price stated is the ask (``ask`` minor units of ``currency``), or none is stated."""
    if priced.malformed:
        return False
    if priced.amount is None:
        return True
    return priced.unit == currency_iri(currency) and priced.amount == Decimal(pay_amount(ask, currency))


def _odrl(term: Any) -> Any:
    """An ODRL term however a consumer wrote it (``compensate``, ``odrl:compensate`` or the absolute IRI), as the
    bare term; anything else as it is."""
    if isinstance(term, str):
        for prefix in ("odrl:", ODRL_NS):
            if term.startswith(prefix):
                return term[len(prefix) :]
    return term


def _is_compensate(duty: Any) -> bool:
    return isinstance(duty, dict) and _odrl(duty.get("action")) == "compensate"


def _is_price(constraint: Any) -> bool:
    return isinstance(constraint, dict) and _odrl(constraint.get("leftOperand")) == "payAmount"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
