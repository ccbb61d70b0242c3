"""Private offers on the web, in Japanese and English: made from the dataset's page, countered with the changes
highlighted side by side, accepted into a contract whose page lists the negotiation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from contracts.meti.data_provision import FORUM_LABELS
from contracts.meti.data_provision_terms import DEFAULTS
from deals.models import DataRequest, PrivateOffer
from deals.tests.data_requests_builders import posted
from tests.builders import (
    Party,
    make_party,
    private_offer,
    published_dataset,
    section,
    signed_in,
    text,
    through_review,
)

pytestmark = pytest.mark.django_db


def terms_data(**overrides: Any) -> dict[str, Any]:
    """The terms fields as the browser posts them, at the template's defaults."""
    warranties = {f"warranties__{item}": level for item, level in DEFAULTS["warranties"].items()}
    return {
        "purpose": DEFAULTS["purpose"],
        "processing": DEFAULTS["processing"],
        "license_type": DEFAULTS["license_type"],
        "third_party_provision": DEFAULTS["third_party_provision"],
        "sublicense": DEFAULTS["sublicense"],
        "derived_data__rights": DEFAULTS["derived_data"]["rights"],
        "derived_data__provider_access": DEFAULTS["derived_data"]["provider_access"],
        "territory": "JP",
        "duration_days": str(DEFAULTS["duration_days"]),
        **warranties,
        "liability_cap__basis": DEFAULTS["liability_cap"]["basis"],
        "liability_cap__amount": "",
        "confidentiality_years": str(DEFAULTS["confidentiality_years"]),
        "end_of_term": DEFAULTS["end_of_term"],
        "governing_law": DEFAULTS["governing_law"],
        "forum": DEFAULTS["forum"],
        **overrides,
    }


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_seller_makes_a_private_offer_from_its_datasets_page(seller: Party, buyer: Party, lang: str) -> None:
    dataset = published_dataset(seller)
    web = signed_in(seller, lang=lang)
    page = text(web.get(f"/datasets/{dataset.id}/"))
    button = section(page, "private-offer-panel")
    assert f"/private-offers/new/?dataset={dataset.id}" in button
    assert ("Make a private offer" in button) == (lang == "en") and ("非公開オファー" in button) == (lang == "ja")
    assert "private-offer-panel" not in text(signed_in(buyer, lang=lang).get(f"/datasets/{dataset.id}/"))
    form = web.get(f"/private-offers/new/?dataset={dataset.id}")
    assert form.status_code == 200
    sent = web.post(
        "/private-offers/new/",
        terms_data(
            dataset=str(dataset.id),
            buyer=buyer.id,
            data_request="",
            price="120000",
            quantity="1",
            currency="JPY",
            valid_days="7",
            note="For your bridge programme.",
            purpose="Bridge maintenance research",
        ),
    )
    assert sent.status_code == 302, text(sent)
    offer = PrivateOffer.objects.get()
    assert sent["Location"] == f"/private-offers/{offer.id}/"
    latest = offer.revisions.get()
    assert (latest.price, latest.quantity, latest.terms["purpose"]) == (120_000, 1, "Bridge maintenance research")
    assert timedelta(days=6) < offer.expires_at - timezone.now() <= timedelta(days=7)
    received = text(signed_in(buyer, lang=lang).get("/private-offers/"))
    assert str(offer.id) in section(received, "received")
    assert "非公開オファー" in received if lang == "ja" else "Private offers" in received


def test_a_refused_offer_is_shown_next_to_its_field_and_nothing_is_saved(seller: Party, buyer: Party) -> None:
    dataset = published_dataset(seller)
    abroad = make_party("Berlin Analytics", {"buyer"}, country="DE")
    web = signed_in(seller)
    base = terms_data(dataset=str(dataset.id), price="1000", quantity="1", currency="JPY", valid_days="7")
    outside = web.post("/private-offers/new/", {**base, "buyer": abroad.id})
    assert outside.status_code == 200 and "outside the licensed territory" in text(outside)
    exclusive = web.post(
        "/private-offers/new/", {**base, "buyer": buyer.id, "license_type": "exclusive", "quantity": "2"}
    )
    assert exclusive.status_code == 200 and "exclusive" in section(text(exclusive), "private-offer-form").lower()
    assert not PrivateOffer.objects.exists()


def test_the_form_answers_a_data_request_prefilled_from_its_id(seller: Party, buyer: Party) -> None:
    dataset = published_dataset(seller)
    request = DataRequest.objects.get(pk=posted(buyer, title="Strain readings wanted", territory=["JP"])["id"])
    web = signed_in(seller)
    page = text(web.get(f"/private-offers/new/?dataset={dataset.id}&data_request={request.id}"))
    assert "Strain readings wanted" in section(page, "answering")
    assert f'value="{request.id}"' in page
    sent = web.post(
        "/private-offers/new/",
        terms_data(
            dataset=str(dataset.id),
            data_request=str(request.id),
            price="5000",
            quantity="1",
            currency="JPY",
            valid_days="3",
        ),
    )
    assert sent.status_code == 302, text(sent)
    offer = PrivateOffer.objects.get()
    assert offer.data_request_id == request.id and offer.buyer_id == buyer.organization.id
    listed = section(text(web.get("/private-offers/")), "sent")
    assert buyer.organization.name not in listed, "the request's author is anonymous"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_counter_shows_side_by_side_and_the_acceptance_links_to_the_contract_and_the_purchase(
    seller: Party, buyer: Party, capture: Any, lang: str
) -> None:
    made = private_offer(seller, buyer, price=80_000)
    buyer_web, seller_web = signed_in(buyer, lang=lang), signed_in(seller, lang=lang)
    page = text(buyer_web.get(f"/private-offers/{made['id']}/"))
    assert "accept-form" in page and "counter-form" in page and "decline-form" in page
    assert "accept-form" not in text(seller_web.get(f"/private-offers/{made['id']}/")), "not the seller's turn"

    countered = buyer_web.post(
        f"/private-offers/{made['id']}/counter/",
        terms_data(price="60000", quantity="1", duration_days="730", purpose="Predictive maintenance"),
    )
    assert countered.status_code == 302, text(countered)
    page = text(seller_web.get(f"/private-offers/{made['id']}/"))
    changed = [row for row in section(page, "compare").split("<tr") if 'class="changed"' in row]
    assert any("Predictive maintenance" in row for row in changed)
    assert any("730" in row for row in changed)
    assert any("60,000" in row for row in changed)
    court = FORUM_LABELS["tokyo-district"]["ja" if lang == "ja" else "en"]
    assert not any(court in row for row in changed), "an unchanged term is not highlighted"
    assert court in section(page, "compare"), "the forum named in the reader's language"

    latest = PrivateOffer.objects.get(pk=made["id"]).revisions.order_by("-number").first()
    assert latest is not None
    with capture(execute=True):
        accepted = seller_web.post(
            f"/private-offers/{made['id']}/accept/",
            {"accepted_terms_sha256": latest.terms_sha256, "revision": latest.number, "accept_terms": "on"},
        )
    assert accepted.status_code == 302
    offer = PrivateOffer.objects.select_related("trade").get(pk=made["id"])
    assert offer.status == "accepted" and offer.trade is not None
    contract_id = offer.trade.contract_id
    buyer_page = text(buyer_web.get(f"/private-offers/{made['id']}/"))
    assert f"/contracts/{contract_id}/" in section(buyer_page, "concluded")
    assert "/purchases/" in section(buyer_page, "concluded")
    contract_page = text(buyer_web.get(f"/contracts/{contract_id}/"))
    history = section(contract_page, "negotiation")
    assert history.count("<tr") == 3 and latest.terms_sha256 in history
    assert {"en": "a private offer", "ja": "非公開オファーの承諾"}[lang] in section(contract_page, "contract-channel")
    assert "¥80,000" in history and "¥60,000" in history, "each revision's price is shown as money"


def test_a_stale_acceptance_on_the_web_is_refused_and_says_why(seller: Party, buyer: Party, capture: Any) -> None:
    made = private_offer(seller, buyer)
    web = signed_in(buyer)
    with capture(execute=True):
        stale = web.post(
            f"/private-offers/{made['id']}/accept/",
            {"accepted_terms_sha256": made["terms_sha256"], "revision": 2, "accept_terms": "on"},
            follow=True,
        )
    assert "The offer changed while you read it" in text(stale)
    assert PrivateOffer.objects.get(pk=made["id"]).status == "open"
    unticked = web.post(
        f"/private-offers/{made['id']}/accept/", {"accepted_terms_sha256": made["terms_sha256"], "revision": 1}
    )
    assert unticked.status_code == 400
    declined = web.post(f"/private-offers/{made['id']}/decline/", {"reason": "Too dear"}, follow=True)
    assert "declined" in text(declined).lower() and PrivateOffer.objects.get(pk=made["id"]).status == "declined"


def test_a_third_organisation_gets_404_and_an_empty_list(seller: Party, buyer: Party) -> None:
    made = private_offer(seller, buyer)
    third = make_party("Nagoya Mobility", {"buyer", "seller"})
    web = signed_in(third)
    assert web.get(f"/private-offers/{made['id']}/").status_code == 404
    for action in ("accept", "counter", "decline"):
        assert web.post(f"/private-offers/{made['id']}/{action}/", {}).status_code == 404
    assert str(made["id"]) not in text(web.get("/private-offers/"))
    assert "/private-offers/" in text(web.get("/")), "the header links to the page"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_offer_page_lists_the_clauses_no_revision_changes_and_previews_the_latest_contract(
    seller: Party, buyer: Party, lang: str
) -> None:
    made = private_offer(seller, buyer, data_class="anonymized", purpose="Basket analysis for store layouts")
    web = signed_in(buyer, lang=lang)
    page = text(web.get(f"/private-offers/{made['id']}/"))
    fixed = section(page, "fixed-clauses")
    assert fixed.count('class="mandatory"') == 2, "the APPI notice and the re-identification ban"
    assert ("再識別" in fixed) if lang == "ja" else ("re-identif" in fixed.lower())
    assert "preview-frame" not in fixed and "preview-link" in fixed
    preview = section(text(web.get(f"/private-offers/{made['id']}/?preview=1")), "fixed-clauses")
    assert "preview-frame" in preview and "Basket analysis for store layouts" in preview


def test_a_refused_counter_is_shown_in_the_counter_form_and_nothing_is_saved(seller: Party, buyer: Party) -> None:
    made = private_offer(seller, buyer)
    web = signed_in(buyer)
    refused = web.post(
        f"/private-offers/{made['id']}/counter/",
        terms_data(price="1000", quantity="2", license_type="exclusive"),
    )
    assert refused.status_code == 400
    assert "An exclusive licence is sold once: one seat." in section(text(refused), "field-quantity")
    nothing = web.post(f"/private-offers/{made['id']}/counter/", terms_data(price=str(made["price"]), quantity="1"))
    assert nothing.status_code == 400 and "changes nothing" in section(text(nothing), "counter-form")
    assert PrivateOffer.objects.get(pk=made["id"]).revision == 1


def test_the_form_names_only_a_request_the_seller_may_answer(seller: Party, buyer: Party) -> None:
    published_dataset(seller)
    request = posted(buyer, title="Closed before you came", territory=["JP"])
    assert buyer.client.post(f"/api/v1/data-requests/{request['id']}/close", {}, format="json").status_code == 200
    page = text(signed_in(seller).get(f"/private-offers/new/?data_request={request['id']}"))
    assert "Closed before you came" not in page and 'id="answering"' not in page
    unverified = make_party("Unverified Sensors", {"seller"}, verified=False)
    published_dataset(unverified)
    open_one = posted(buyer, title="Open but not for the unverified", territory=["JP"])
    page = text(signed_in(unverified).get(f"/private-offers/new/?data_request={open_one['id']}"))
    assert "Open but not for the unverified" not in page


def test_the_buyer_accepts_through_a_review_of_the_tax_and_the_total(seller: Party, buyer: Party, capture: Any) -> None:
    made = private_offer(seller, buyer, price=50_000, quantity=2)
    web = signed_in(buyer)
    page = text(web.get(f"/private-offers/{made['id']}/"))
    assert f'action="/private-offers/{made["id"]}/review/" id="accept-form"' in page, "the buyer reviews first"
    accept = {"accepted_terms_sha256": made["terms_sha256"], "revision": 1, "accept_terms": "on"}
    unseen = web.post(f"/private-offers/{made['id']}/accept/", accept)
    assert unseen.status_code == 302 and unseen["Location"].startswith(f"/private-offers/{made['id']}/review/?")
    assert PrivateOffer.objects.get(pk=made["id"]).status == "open", "never accepted unseen"
    review = text(web.get(unseen["Location"]))
    assert "¥100,000" in section(review, "review-amount") and "10%: ¥10,000" in section(review, "review-tax")
    assert "¥110,000" in section(review, "review-total") and seller.organization.name in section(
        review, "review-seller"
    )
    assert made["terms_sha256"] in section(review, "review-terms-sha256")
    with capture(execute=True):
        accepted = through_review(web, f"/private-offers/{made['id']}/review/", accept)
    assert accepted.status_code == 302
    assert PrivateOffer.objects.get(pk=made["id"]).status == "accepted"


def test_a_buyer_signed_out_on_the_review_of_a_private_offer_returns_to_it(seller: Party) -> None:
    from django.test import Client

    buyer = make_party("Kyoto Analytics", {"buyer"}, password="correct horse battery staple")
    made = private_offer(seller, buyer)
    confirm = {"accepted_terms_sha256": made["terms_sha256"], "revision": 1, "accept_terms": "on", "reviewed": 1}
    response = Client().post(f"/private-offers/{made['id']}/accept/", confirm)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert f"/private-offers/{made['id']}/review/%3Frevision%3D1" in response["Location"]
