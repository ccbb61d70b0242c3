"""The catalog protocol's messages (DSP 2025-1 ``Catalog`` and ``Dataset``), built from the rows
``dataspace.selectors`` loads and from the same DCAT mapping as ``GET /catalog`` (``dataspace.dcat``): pure
functions, no queries.

A dataset is offered to a connector when it has an open order-book offering with a resting ask: each such offering
is one ODRL ``Offer`` in the dataset's ``hasPolicy``, its terms exactly as ``/api/v1/offerings/{id}/odrl`` states
them (``contracts.odrl_export.offer_odrl``), with the best ask as the ``compensate`` duty's ``payAmount``. The offer's
``@id`` is the offering's IRI, ``urn:ichiba:offering:<uuid>``: stable while the offering is open (the price in it is
the best ask when the catalog was read; a negotiation names the offer by that id and is priced again then).

DSP's ``@context`` is a list of context URLs (its schema allows nothing else), so the offers' Ichiba extension terms
(``ichiba:...`` in the partner API's ODRL) are written as absolute IRIs here, and of the DCAT description only the
terms in DSP's own context (``dct:``, ``dcat:``, ``xsd:``) are kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from contracts.odrl import ICHIBA_NS, currency_iri, pay_amount
from contracts.odrl_export import offer_odrl
from dataspace.dcat import Site, dataset_node, text
from dataspace.dsp import CONTEXT, PATH
from dataspace.selectors import CatalogEntry, OfferedPage
from marketplace.models import Offering

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
    the offer is its target), and the price: the ``compensate`` duty constrained to ``payAmount`` ``eq`` the best
    ask in major units, its ``unit`` the ISO 4217 currency."""
    offer = offer_odrl(
        offering_id=offering.id,
        seller_id=offering.seller_id,
        dataset_id=offering.dataset_id,
        terms=offering.terms,
        data_class=data_class,
        template_code=offering.template_code,
        template_version=offering.template_version,
        terms_sha256=offering.terms_sha256,
    )
    offer.pop("@context")
    offer.pop("target")
    uid = offer.pop("uid")
    assert uid == offer_id(offering.id), "the offer's id is the offering's IRI"
    offer = {"@id": uid, **offer}
    for permission in offer.get("permission", []):
        for duty in permission.get("duty", []):
            if duty.get("action") == "compensate":
                duty.pop("ichiba:note", None)
                duty.pop("ichiba:currency", None)
                duty["constraint"] = [
                    {
                        "leftOperand": "payAmount",
                        "operator": "eq",
                        "rightOperand": {"@value": pay_amount(ask, offering.currency), "@type": "xsd:decimal"},
                        "unit": currency_iri(offering.currency),
                    }
                ]
                duty["ichiba:amountMinorUnits"] = ask
    expanded: dict[str, Any] = _absolute(offer)
    return expanded


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


def _absolute(value: Any) -> Any:
    """``ichiba:x`` keys and ``@id`` values written as the absolute IRIs they stand for (DSP's context, the only one
    a DSP message states, does not define the prefix)."""
    prefix = "ichiba:"

    def iri(name: str) -> str:
        return ICHIBA_NS + name[len(prefix) :] if name.startswith(prefix) else name

    if isinstance(value, dict):
        return {
            iri(key): (iri(item) if key == "@id" and isinstance(item, str) else _absolute(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_absolute(item) for item in value]
    return value


def link_header(page: OfferedPage, page_url: Callable[[int], str]) -> str | None:
    """The binding's paging: ``Link`` with ``rel="previous"`` and ``rel="next"`` where there is such a page."""
    links = []
    if page.number > 1:
        links.append(f'<{page_url(page.number - 1)}>; rel="previous"')
    if page.has_next:
        links.append(f'<{page_url(page.number + 1)}>; rel="next"')
    return ", ".join(links) or None
