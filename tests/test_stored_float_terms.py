"""Offerings stored before integer terms were checked strictly: "duration_days": 90.0 and the like.

The partner API once let an integral float through (JSON Schema counts 90.0 as an integer), and the stored terms
and their terms_sha256 stay as they are: buyers accepted that hash, and the canonical JSON of 90.0 is not that of
90. Every reader that shows or derives from the terms reads such a term as the integer it means
(``contracts.terms.terms_typed``): the ODRL export, the contract a trade concludes, the summaries and pages all
work and say 90, never 90.0. The API's ``terms`` stay the ones hashed, so a partner can still recompute the hash.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from contracts.models import Acceptance, Contract
from contracts.registry import template_get
from contracts.terms import terms_hash
from marketplace.models import Offering
from tests.builders import conclude, published_offering

pytestmark = pytest.mark.django_db

TEMPLATE = template_get("meti-data-provision")
LEGACY_INTEGERS = {"duration_days": 90.0, "confidentiality_years": 5.0}
LEGACY_CAP = {"basis": "fixed", "amount": 2_000_000.0}


def legacy_offering(seller: Any, capture: Any) -> Offering:
    """An offering published through the API, then given the integral floats the old check let through, with
    the terms_sha256 the old code computed of them (written with the ORM: no current check would take them)."""
    published = published_offering(
        seller, capture, duration_days=90, confidentiality_years=5, liability_cap={"basis": "fixed", "amount": 1}
    )
    offering = Offering.objects.get(pk=published["id"])
    terms = {**offering.terms, **LEGACY_INTEGERS, "liability_cap": dict(LEGACY_CAP)}
    sha256 = terms_hash(template=TEMPLATE, terms=terms, mandatory_clauses=tuple(offering.mandatory_clauses))
    assert sha256 != terms_hash(
        template=TEMPLATE,
        terms={
            **terms,
            "duration_days": 90,
            "confidentiality_years": 5,
            "liability_cap": {**LEGACY_CAP, "amount": 2_000_000},
        },
        mandatory_clauses=tuple(offering.mandatory_clauses),
    ), "the canonical JSON of 90.0 is not that of 90: rewriting the stored terms would break the accepted hash"
    Offering.objects.filter(pk=offering.pk).update(terms=terms, terms_sha256=sha256)
    offering.refresh_from_db()
    assert type(offering.terms["duration_days"]) is float, "the database keeps the float"
    return offering


@pytest.fixture
def offering(seller, django_capture_on_commit_callbacks) -> Offering:
    return legacy_offering(seller, django_capture_on_commit_callbacks)


def assert_untouched(offering: Offering, stored: dict[str, Any], sha256: str) -> None:
    offering.refresh_from_db()
    assert offering.terms == stored and type(offering.terms["duration_days"]) is float
    assert offering.terms_sha256 == sha256


def raw_number(body: bytes, key: str) -> str:
    """A number exactly as the JSON states it (json.loads would read 90.0 and 90 as equal)."""
    match = re.search(rb'"' + key.encode() + rb'"\s*:\s*(-?[0-9][0-9.eE+-]*)', body)
    assert match is not None, f"{key} not in {body[:300]!r}"
    return match.group(1).decode()


def test_offer_odrl_export_reads_the_float_as_the_integer_it_means(offering, anonymous) -> None:
    stored, sha256 = copy.deepcopy(offering.terms), offering.terms_sha256
    response = anonymous.get(f"/api/v1/offerings/{offering.id}/odrl")
    assert response.status_code == 200, response.content
    doc = json.loads(response.content)
    [use] = [p for p in doc["permission"] if p["action"] == "use"]
    elapsed = next(c for c in use["constraint"] if c["leftOperand"] == "elapsedTime")
    assert elapsed["rightOperand"] == {"@value": "P90D", "@type": "xsd:duration"}
    assert raw_number(response.content, "confidentiality_years") == "5"
    assert raw_number(response.content, "amount") == "2000000"
    assert doc["ichiba:termsSha256"] == sha256, "the export names the hash the buyers accepted"
    assert_untouched(offering, stored, sha256)


def test_a_trade_on_the_offering_concludes_a_contract_that_says_90_days(offering, seller, buyer) -> None:
    stored, sha256 = copy.deepcopy(offering.terms), offering.terms_sha256
    ask = seller.client.post(
        "/api/v1/orders", {"offering": str(offering.id), "side": "sell", "quantity": 1, "price": 1000}, format="json"
    )
    assert ask.status_code == 201, ask.content
    bid = buyer.client.post(
        "/api/v1/orders",
        {"offering": str(offering.id), "side": "buy", "quantity": 1, "price": 1000, "accepted_terms_sha256": sha256},
        format="json",
    )
    assert bid.status_code == 201, bid.content
    [trade] = bid.json()["trades"]
    contract = Contract.objects.get(pk=trade["contract"])
    assert contract.valid_until - contract.valid_from == timedelta(days=90)
    assert "for 90 days, from" in contract.document_en and "90.0" not in contract.document_en
    assert "までの90日間" in contract.document_ja and "90.0" not in contract.document_ja
    assert "for 5 years after" in contract.document_en and "¥2,000,000" in contract.document_en
    # The contract keeps the terms and the hash both parties accepted, byte for byte.
    assert contract.terms == stored and contract.terms_sha256 == sha256
    assert set(Acceptance.objects.filter(contract=contract).values_list("terms_sha256", flat=True)) == {sha256}
    assert_untouched(offering, stored, sha256)


def test_the_concluded_contract_exports_and_reads_as_integers(offering, buyer) -> None:
    contract = conclude(offering, buyer)
    assert "for 90 days, from" in contract.document_en and "90.0" not in contract.document_en
    odrl = buyer.client.get(f"/api/v1/contracts/{contract.id}/odrl")
    assert odrl.status_code == 200, odrl.content
    assert raw_number(odrl.content, "confidentiality_years") == "5"
    detail = buyer.client.get(f"/api/v1/contracts/{contract.id}")
    assert detail.status_code == 200, detail.content
    assert_hash_reproducible(detail.content, offering)
    contract.refresh_from_db()
    assert type(contract.terms["duration_days"]) is float, "the stored contract terms stay as accepted"


def assert_hash_reproducible(body: bytes, offering: Offering) -> None:
    """The API sends the terms as they were hashed and accepted (90.0), so a partner can recompute the hash."""
    sent = json.loads(body)
    template = template_get(offering.template_code, offering.template_version)
    assert raw_number(body, "duration_days") == "90.0"
    assert sent["terms_sha256"] == offering.terms_sha256
    assert terms_hash(template=template, terms=sent["terms"], mandatory_clauses=tuple(offering.mandatory_clauses)) == (
        offering.terms_sha256
    )


def test_offering_api_sends_the_hashed_terms_and_the_summaries_read_90(offering, anonymous) -> None:
    stored, sha256 = copy.deepcopy(offering.terms), offering.terms_sha256
    response = anonymous.get(f"/api/v1/offerings/{offering.id}")
    assert response.status_code == 200, response.content
    assert_hash_reproducible(response.content, offering)
    dataset = anonymous.get(f"/api/v1/datasets/{offering.dataset_id}")
    assert dataset.status_code == 200, dataset.content
    assert raw_number(dataset.content, "duration_days") == "90"
    assert_untouched(offering, stored, sha256)


def test_offering_and_dataset_pages_show_90(offering) -> None:
    client = Client(headers={"accept-language": "en"})
    response = client.get(f"/offerings/{offering.id}/")
    assert response.status_code == 200
    page = response.content.decode()
    row = page.split('id="term-duration_days"')[1].split("</tr>")[0]
    assert "<td>90 <span" in row, row
    cap = page.split('id="term-liability_capamount"')[1].split("</tr>")[0]
    assert "¥2,000,000" in cap, cap
    assert "for 90 days, from" in page
    assert "90.0" not in page and "2000000.0" not in page
    dataset_page = client.get(f"/datasets/{offering.dataset_id}/").content.decode()
    assert ">90-day licence</a>" in dataset_page, "the catalog's list of offerings"
    assert "Market: 90-day licence" in dataset_page, "the heading of the offering's market"
    assert "90.0" not in dataset_page
