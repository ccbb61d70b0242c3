"""The catalog protocol's messages (DSP 2025-1 ``Catalog`` and ``Dataset``), built from the rows
``dataspace.selectors`` loads and from the same DCAT mapping as ``GET /catalog`` (``dataspace.dcat``): pure
functions, no queries.

A dataset is offered to a connector when it has an open order-book offering with a resting ask: each such offering
is one ODRL ``Offer`` in the dataset's ``hasPolicy``, its terms exactly as ``/api/v1/offerings/{id}/odrl`` states
them (``contracts.odrl_export.offer_odrl``), with the best ask as the ``compensate`` duty's ``payAmount``. The offer's
``@id`` is the offering's IRI, ``urn:ichiba:offering:<uuid>``: stable while the offering is open (the price in it is
the best ask when the catalog was read; a negotiation names the offer by that id and is priced again then).

DSP's ``@context`` is a list of context URLs (its schema allows nothing else), so the offers are rewritten into the
terms DSP's context defines (``_in_dsp_terms``: ``odrl:`` compact IRIs for the ODRL terms it lacks, absolute IRIs for
Ichiba's extensions), and of the DCAT description only the terms in DSP's own context (``dct:``, ``dcat:``, ``xsd:``)
are kept.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contracts.odrl import CONTEXT as ODRL_CONTEXT
from contracts.odrl import ICHIBA_NS, currency_iri, pay_amount
from dataspace.dcat import Site, dataset_node, text
from dataspace.dsp import CONTEXT, PATH
from dataspace.selectors import CatalogEntry, OfferedPage
from marketplace.models import Offering
from marketplace.selectors import offering_odrl

FORMAT = "HttpData-PULL"
OFFER_PREFIX = "urn:ichiba:offering:"
# The DCAT statements a DSP dataset keeps: those whose terms and values need nothing beyond DSP's context.
_DCAT_KEPT = ("dct:identifier", "dct:title", "dct:description", "dcat:keyword", "dct:issued", "dct:modified")


def service_id(site: Site) -> str:
    return site.url(f"{PATH}#data-service")


def service_node(site: Site) -> dict[str, Any]:
    """The catalog's one ``DataService``: the protocol's endpoint, through which every dataset is negotiated and
    transferred."""
    return {"@id": service_id(site), "@type": "DataService", "endpointURL": site.url(PATH)}


def participant_id(site: Site) -> str:
    """The provider's participant id: the market's operator (the DCAT catalog's publisher)."""
    return site.operator


def catalog_message(page: OfferedPage, site: Site) -> dict[str, Any]:
    """A ``Catalog`` of the page's datasets. An empty page has no ``dataset`` (the schema wants at least one)."""
    message: dict[str, Any] = {
        "@context": [CONTEXT],
        "@id": site.url(f"{PATH}/catalog"),
        "@type": "Catalog",
        "participantId": participant_id(site),
        "dct:title": text(f"{site.market_name} data catalog", "en"),
        "service": [service_node(site)],
    }
    datasets = [node for node in (dataset_message(entry, site) for entry in page.entries) if node is not None]
    if datasets:
        message["dataset"] = datasets
    return message


def dataset_message(entry: CatalogEntry, site: Site) -> dict[str, Any] | None:
    """A ``Dataset`` with an ``Offer`` per offering that has a resting ask; None when none has one (an offering
    withdrawn or an ask taken between the page's queries)."""
    offers = [
        offer_message(offering, ask=entry.best_asks[offering.id], data_class=entry.dataset.data_class)
        for offering in entry.offerings
        if offering.id in entry.best_asks
    ]
    if not offers:
        return None
    dcat = dataset_node(entry, site)
    node: dict[str, Any] = {"@id": dcat["@id"], "@type": "Dataset"}
    node.update({key: dcat[key] for key in _DCAT_KEPT if key in dcat})
    node["dcat:landingPage"] = {"@id": dcat["dcat:landingPage"]["@id"]}
    node["dct:publisher"] = {"@id": dcat["dct:publisher"]["@id"]}
    node["hasPolicy"] = offers
    node["distribution"] = [{"@type": "Distribution", "format": FORMAT, "accessService": service_id(site)}]
    return node


def dataset_document(entry: CatalogEntry, site: Site) -> dict[str, Any] | None:
    """The answer to ``GET <path>/catalog/datasets/{id}``: the dataset with the DSP context, or None if nothing of
    it is offered."""
    node = dataset_message(entry, site)
    return None if node is None else {"@context": [CONTEXT], **node}


def offer_message(offering: Offering, *, ask: int, data_class: str) -> dict[str, Any]:
    """The offering's ODRL offer as DSP carries it: ``@id`` for ODRL's ``uid``, no ``target`` (the dataset holding
    the offer is its target), and the price: the best ask (``dsp_offer``)."""
    offer = dsp_offer(
        offering_odrl(offering, data_class=data_class), amount=ask, currency=offering.currency, target=False
    )
    assert offer["@id"] == offer_id(offering.id), "the offer's id is the offering's IRI"
    return offer


def dsp_offer(odrl: dict[str, Any], *, amount: int, currency: str, target: bool) -> dict[str, Any]:
    """An ODRL ``Offer`` of ``contracts.odrl`` (with its context) as a DSP message carries it: ``@id`` for ODRL's
    ``uid``, its ``target`` kept (an offer in a negotiation message) or dropped (in a catalog, whose dataset is the
    target), rewritten into DSP's context terms, and priced: the ``compensate`` duty constrained to ``payAmount``
    ``eq`` ``amount`` (minor units) in major units, its ``unit`` the ISO 4217 currency, ``amountMinorUnits`` the
    amount as it is."""
    offer = dict(odrl)
    offer.pop("@context", None)
    if not target:
        offer.pop("target")
    offer = {"@id": offer.pop("uid"), **offer}
    for permission in offer.get("permission", []):
        for duty in permission.get("duty", []):
            if duty.get("action") == "compensate":
                duty.pop("ichiba:note", None)
                duty.pop("ichiba:currency", None)
                # A subscription's duty recurs (its constraints say how often): the price is one period's.
                duty["constraint"] = [
                    {
                        "leftOperand": "payAmount",
                        "operator": "eq",
                        "rightOperand": {"@value": pay_amount(amount, currency), "@type": "xsd:decimal"},
                        "unit": {"@id": currency_iri(currency)},
                    },
                    *duty.get("constraint", []),
                ]
                duty["ichiba:amountMinorUnits"] = amount
    rewritten: dict[str, Any] = _in_dsp_terms(offer)
    return rewritten


def offer_id(offering_id: uuid.UUID) -> str:
    """The ``@id`` of an offering's DSP offer."""
    return f"{OFFER_PREFIX}{offering_id}"


def offering_of(offer_iri: str) -> uuid.UUID | None:
    """The offering an offer's ``@id`` names (what a ``ContractRequestMessage`` will send back), or None when it is
    not an Ichiba offer id. Whether that offering is still open, on the book and priced is the caller's to judge."""
    if not offer_iri.startswith(OFFER_PREFIX):
        return None
    try:
        found = uuid.UUID(offer_iri.removeprefix(OFFER_PREFIX))
    except ValueError:
        return None
    return found if offer_id(found) == offer_iri else None


def _context_terms() -> frozenset[str]:
    """The terms DSP's context defines (its own, its types' scoped ones, and its ODRL profile's, which ``Dataset``'s
    scoped context imports)."""
    terms: set[str] = set()
    for name in ("dspace.jsonld", "odrl.jsonld"):
        context = json.loads((CONTEXT_DIRECTORY / name).read_text(encoding="utf-8"))["@context"]
        for key, definition in context.items():
            if key.startswith("@"):
                continue
            terms.add(key)
            if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):  # a scoped context
                terms.update(name for name in definition["@context"] if not name.startswith("@"))
    return frozenset(terms)


CONTEXT_DIRECTORY = Path(__file__).resolve().parent / "context"
DSP_TERMS = _context_terms()
# Keys whose string values DSP's context reads as vocabulary terms (``"@type": "@vocab"``).
_VOCABULARY_VALUED = ("action", "leftOperand", "operator")


def _in_dsp_terms(value: Any) -> Any:
    """The partner API's ODRL (written in Ichiba's ODRL context, contracts.odrl.CONTEXT) rewritten for DSP's context,
    which defines fewer ODRL terms: a key DSP does not define becomes its compact IRI in ``odrl:`` (its value an
    ``{"@id": ...}`` where Ichiba's context coerced it to an IRI), a vocabulary value DSP does not define (the action
    ``derive``, the left operand ``purpose``) its ``odrl:`` compact IRI, and Ichiba's extension terms (``ichiba:x``)
    absolute IRIs. What a DSP consumer expands is then what ``/odrl`` means."""
    if isinstance(value, list):
        return [_in_dsp_terms(item) for item in value]
    if not isinstance(value, dict):
        return value
    rewritten: dict[str, Any] = {}
    for key, item in value.items():
        if key == "@id" and isinstance(item, str):
            rewritten[key] = _ichiba_iri(item)
        elif key == "@value":  # a literal (the clause parameters are one JSON literal): not terms
            rewritten[key] = item
        elif key.startswith("@") or key in DSP_TERMS:
            if key in _VOCABULARY_VALUED and isinstance(item, str):
                item = _vocabulary_term(item)
            rewritten[key] = _in_dsp_terms(item)
        elif ":" in key:
            rewritten[_ichiba_iri(key)] = _in_dsp_terms(item)
        else:
            definition = ODRL_CONTEXT.get(key)
            if definition is None:
                raise ValueError(f"{key!r} is in no context: the ODRL mapping and DSP's have drifted apart")
            coercion = definition.get("@type") if isinstance(definition, dict) else None
            compact = definition["@id"] if isinstance(definition, dict) else definition
            if coercion == "@id" and isinstance(item, str):
                item = {"@id": _ichiba_iri(item)}
            elif coercion == "@vocab" and isinstance(item, str):
                item = {"@id": _vocabulary_term(item)}
            rewritten[compact] = _in_dsp_terms(item)
    return rewritten


def _vocabulary_term(term: str) -> str:
    if ":" in term or term in DSP_TERMS:
        return _ichiba_iri(term)
    definition = ODRL_CONTEXT.get(term)
    if not isinstance(definition, str):
        raise ValueError(f"{term!r} is no ODRL term of the mapping's context")
    return definition


def _ichiba_iri(name: str) -> str:
    """``ichiba:x`` as the absolute IRI it stands for: DSP's context, the only one a DSP message states, does not
    define the prefix."""
    prefix = "ichiba:"
    return ICHIBA_NS + name[len(prefix) :] if name.startswith(prefix) else name


def link_header(page: OfferedPage, page_url: Callable[[int], str]) -> str | None:
    """The binding's paging: ``Link`` with ``rel="previous"`` and ``rel="next"`` where there is such a page."""
    links = []
    if page.number > 1:
        links.append(f'<{page_url(page.number - 1)}>; rel="previous"')
    if page.has_next:
        links.append(f'<{page_url(page.number + 1)}>; rel="next"')
    return ", ".join(links) or None
