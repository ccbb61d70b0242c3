"""The offering and contract pages as people use them (Django test client): the seller's offer form with its
contract preview, an offering's public page, and the contracts of the parties."""

from __future__ import annotations

import html
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from catalog.services.datasets import dataset_create
from contracts.meti.data_provision import TERM_HELP, TERM_LABELS
from contracts.meti.data_provision_terms import DEFAULTS
from contracts.registry import template_get
from marketplace.models import Offering
from tests.builders import conclude, offer_data, publish, published_dataset, signed_in, text

pytestmark = pytest.mark.django_db

TEMPLATE = template_get("meti-data-provision")


def field_html(page: str, name: str) -> str:
    """The markup of one field's block (its div with id field-<name>)."""
    start = page.rindex("<div", 0, page.index(f'id="field-{name}"'))
    return page[start : page.index("</div>", page.index(f'id="field-{name}"'))]


# --- the offer form --------------------------------------------------------------------------------


def test_owner_finds_the_offer_form_on_the_dataset_page(client, seller, other_seller) -> None:
    dataset = published_dataset(seller)
    offer_url = f"/sell/datasets/{dataset.id}/offer/"
    assert f'href="{offer_url}"' in text(signed_in(seller).get(f"/datasets/{dataset.id}/"))
    assert offer_url not in text(signed_in(other_seller).get(f"/datasets/{dataset.id}/"))
    assert offer_url not in text(client.get(f"/datasets/{dataset.id}/"))
    assert signed_in(other_seller).get(offer_url).status_code == 404
    assert client.get(offer_url)["Location"].startswith("/login/?next=")


def test_offer_form_shows_every_term_with_its_default_and_explanation_in_english(seller) -> None:
    dataset = published_dataset(seller)
    response = signed_in(seller).get(f"/sell/datasets/{dataset.id}/offer/")
    assert response.status_code == 200
    page = html.unescape(text(response))
    for term, labels in TERM_LABELS.items():
        assert labels["en"] in page, term
        assert TERM_HELP[term]["en"] in page, term
    assert DEFAULTS["purpose"] in page
    raw = text(response)
    assert re.search(r'<option value="within_purpose" selected>Permitted within the Purpose</option>', raw)
    accuracy = field_html(raw, "warranties__accuracy")
    assert re.search(r'<option value="disclaimed" selected>Disclaimed</option>', accuracy)
    assert 'value="JP"' in field_html(raw, "territory")
    assert 'value="365"' in field_html(raw, "duration_days")
    assert 'value="fees_paid" selected' in field_html(raw, "liability_cap__basis")
    assert 'value="JPY"' in field_html(raw, "currency")
    assert re.search(r"<input[^>]*name=\"unlimited\"[^>]*checked", raw)
    fixed = raw.split('id="fixed-clauses"')[1].split("</section>")[0]
    assert "Definitions and the Data" in fixed and "Licence" not in fixed
    assert "Re-identification" not in page, "IoT data has no APPI clauses"


def test_offer_form_in_japanese_with_the_appi_clauses_for_anonymised_data(seller) -> None:
    dataset = published_dataset(seller, data_class="anonymized")
    page = html.unescape(text(signed_in(seller, lang="ja").get(f"/sell/datasets/{dataset.id}/offer/")))
    assert 'lang="ja"' in page
    for term, labels in TERM_LABELS.items():
        assert labels["ja"] in page, term
        assert TERM_HELP[term]["ja"] in page, term
    assert "本目的の範囲内で可" in page and "保証しない" in page
    assert "契約書をプレビュー" in page and "出品する" in page
    fixed = page.split('id="fixed-clauses"')[1].split("</section>")[0]
    clauses = {c.code: c for c in TEMPLATE.clauses}
    for code in ("anonymized_notice", "reidentification_ban"):
        assert clauses[code].title["ja"] in fixed
    assert fixed.count('class="mandatory"') == 2
    assert "匿名加工情報には常に適用" in fixed


def test_invalid_input_shows_field_errors_and_saves_nothing(seller) -> None:
    dataset = published_dataset(seller)
    client = signed_in(seller)
    url = f"/sell/datasets/{dataset.id}/offer/"

    page = text(client.post(url, offer_data(duration_days="0", purpose="x", processing="resell", territory="")))
    for name in ("duration_days", "purpose", "processing", "territory"):
        assert "has-error" in field_html(page, name), name
    assert "Ensure this value is greater than or equal to 1." in field_html(page, "duration_days")

    refused = text(client.post(url, offer_data(territory="JP, XX")))  # the service refuses unknown countries
    assert "has-error" in field_html(refused, "territory") and "XX" in field_html(refused, "territory")
    assert "Not ISO 3166-1 alpha-2 country codes: XX." in refused

    exclusive = text(client.post(url, offer_data(license_type="exclusive")))  # a market rule: one seat
    assert "must be 1 for an exclusive licence" in exclusive.split('id="field-license_seats"')[1].split("</ul>")[0]

    fixed_cap = text(client.post(url, offer_data(liability_cap__basis="fixed", action="preview")))
    assert "amount" in fixed_cap.split('id="term-liability_cap"')[1].split("</fieldset>")[0]

    neither = text(client.post(url, offer_data(unlimited="")))
    assert "Enter a number of seats" in neither.split('id="field-license_seats"')[1].split("</ul>")[0]
    assert not Offering.objects.exists()


def test_preview_renders_every_clause_as_the_buyer_gets_it_without_saving(seller) -> None:
    dataset = published_dataset(seller, data_class="anonymized")
    response = signed_in(seller).post(
        f"/sell/datasets/{dataset.id}/offer/",
        offer_data(action="preview", territory="jp, de", duration_days="90", forum="osaka-district"),
    )
    assert response.status_code == 200
    page = text(response)
    assert "Preview — not saved" in page
    srcdoc = page.split('srcdoc="')[1].split('"></iframe>')[0]
    assert '"' not in srcdoc and "<" not in srcdoc, "the document is escaped inside the attribute"
    document = html.unescape(srcdoc)
    for clause in TEMPLATE.clauses_for("anonymized"):
        assert f'id="{clause.code}"' in document and clause.title["en"] in document
    assert "Osaka District Court" in document and re.search(r"Territory: [^<]*DE[^<]*JP", document)
    assert "(buyer)" in document and seller.organization.name in document
    assert "Unit price: (the price at which the trade executes)" in document, "no price is stated before a trade"
    assert "Total fees: (that price × the seats)" in document and "¥0" not in document
    assert dataset.versions.get().sha256 in document
    assert 'value="90"' in field_html(page, "duration_days"), "the form keeps what was typed"
    assert not Offering.objects.exists()


def test_publish_creates_the_offering_and_shows_it(seller) -> None:
    dataset = published_dataset(seller)
    offering = publish(seller, dataset, territory="de, JP", duration_days="90", unlimited="", license_seats="5")
    assert offering.terms["territory"] == ["DE", "JP"] and offering.terms["duration_days"] == 90
    assert offering.terms["processing"] == "within_purpose"
    assert offering.license_seats == 5 and offering.currency == "JPY"
    assert offering.accepted_by_user_id == get_user_model().objects.get(username=seller.email).pk
    assert "liability_cap" in offering.terms and "amount" not in offering.terms["liability_cap"]

    capped = publish(seller, dataset, liability_cap__basis="fixed", liability_cap__amount="1000000")
    assert capped.terms["liability_cap"] == {"basis": "fixed", "amount": 1_000_000}
    assert capped.license_seats is None


def test_a_draft_dataset_cannot_be_offered(seller) -> None:
    draft = dataset_create(seller_id=seller.organization.id, title="Draft", data_class="iot")
    client = signed_in(seller)
    page = text(client.get(f"/sell/datasets/{draft.id}/offer/"))
    assert 'id="cannot-offer"' in page
    refused = text(client.post(f"/sell/datasets/{draft.id}/offer/", offer_data()))
    assert "only a published dataset" in refused
    assert not Offering.objects.exists()


def test_buyers_cannot_open_the_offer_form(seller, buyer) -> None:
    dataset = published_dataset(seller)
    assert signed_in(buyer).get(f"/sell/datasets/{dataset.id}/offer/").status_code == 403
    assert signed_in(buyer).post(f"/sell/datasets/{dataset.id}/offer/", offer_data()).status_code == 403


# --- the offering page -----------------------------------------------------------------------------


def changed_rows(page: str) -> set[str]:
    return set(re.findall(r'<tr id="term-([\w-]+)" class="changed">', page))


def test_offering_page_highlights_the_terms_the_seller_changed(client, seller) -> None:
    dataset = published_dataset(seller, data_class="anonymized")
    offering = publish(
        seller,
        dataset,
        territory="JP, US",
        duration_days="30",
        warranties__accuracy="best_efforts",
        unlimited="",
        license_seats="3",
    )
    response = client.get(f"/offerings/{offering.id}/")
    assert response.status_code == 200
    page = text(response)
    assert changed_rows(page) == {"territory", "duration_days", "warrantiesaccuracy"}
    row = page.split('id="term-duration_days"')[1].split("</tr>")[0]
    assert "30" in row and "365" in row and "changed by the seller" in row
    assert "The seller changed 3 terms" in page
    assert offering.terms_sha256 in page
    assert f'href="/api/v1/offerings/{offering.id}/odrl"' in page
    assert 'id="seats-left">3 of 3' in page
    assert f'href="/datasets/{dataset.id}/"' in page
    fixed = page.split('id="fixed-clauses"')[1].split("</ul>")[0]
    clauses = {c.code: c for c in TEMPLATE.clauses}
    assert fixed.count('class="mandatory"') == 2
    for code in ("anonymized_notice", "reidentification_ban"):
        assert html.escape(clauses[code].title["en"]) in fixed
    texts = page.split('id="clause-texts"')[1]
    assert texts.count("<details") == len(TEMPLATE.clauses_for("anonymized"))
    assert re.search(r"Territory: [^<]*JP[^<]*US", html.unescape(texts))
    territory = page.split('id="term-territory"')[1].split("</tr>")[0]
    assert "Japan (JP), United States (US)" in territory

    japanese = text(Client(headers={"accept-language": "ja"}).get(f"/offerings/{offering.id}/"))
    assert "出品者が変更" in japanese and "利用地域" in japanese and "努力義務" in japanese
    assert client.get(f"/offerings/{uuid.uuid4()}/").status_code == 404


def test_dataset_page_links_each_offering(client, seller) -> None:
    dataset = published_dataset(seller)
    offering = publish(seller, dataset, duration_days="90")
    page = text(client.get(f"/datasets/{dataset.id}/"))
    assert f'href="/offerings/{offering.id}/"' in page and "90-day licence" in page


def test_only_the_seller_withdraws_an_offering(client, seller, other_seller, buyer) -> None:
    dataset = published_dataset(seller)
    offering = publish(seller, dataset)
    url = f"/offerings/{offering.id}/"
    withdraw = f"/offerings/{offering.id}/withdraw/"
    assert 'id="withdraw-form"' in text(signed_in(seller).get(url))
    for viewer in (client, signed_in(other_seller), signed_in(buyer)):
        assert 'id="withdraw-form"' not in text(viewer.get(url))
    assert signed_in(other_seller).post(withdraw).status_code == 404
    assert signed_in(buyer).post(withdraw).status_code == 403
    assert client.post(withdraw).status_code == 302
    assert signed_in(seller).get(withdraw).status_code == 405
    offering.refresh_from_db()
    assert offering.status == "active"

    owner = signed_in(seller)
    response = owner.post(withdraw, {"reason": "sold elsewhere"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    page = text(response)
    assert "The offering was withdrawn" in page and 'id="withdraw-form"' not in page
    offering.refresh_from_db()
    assert offering.status == "withdrawn"
    assert offering.events.values_list("reason", flat=True).last() == "sold elsewhere"
    again = text(owner.post(withdraw, follow=True))
    assert 'class="error"' in again, "withdrawing twice is refused with a message"
    assert f'href="{url}"' not in text(client.get(f"/datasets/{dataset.id}/"))


# --- contracts -------------------------------------------------------------------------------------


def test_parties_see_their_contracts(seller, buyer, other_seller) -> None:
    dataset = published_dataset(seller, data_class="anonymized")
    contract = conclude(publish(seller, dataset), buyer)
    detail = f"/contracts/{contract.id}/"
    for party, side, counterparty in ((seller, "Seller", buyer), (buyer, "Buyer", seller)):
        client = signed_in(party)
        listing = text(client.get("/contracts/"))
        assert 'href="/contracts/"' in listing, "Contracts in the navigation"
        assert f'href="{detail}"' in listing and counterparty.organization.name in listing and side in listing
        assert "¥60,000" in listing

        page = text(client.get(detail))
        for value in (contract.terms_sha256, contract.document_sha256, contract.document_en_sha256):
            assert value in page
        assert seller.organization.name in page and buyer.organization.name in page
        assert "v1" in page and "¥30,000" in page and "¥60,000" in page
        assert f'src="{detail}document/?lang=en"' in page
        assert f'href="/api/v1/contracts/{contract.id}/odrl"' in page
        acceptances = page.split('id="acceptances"')[1].split("</table>")[0]
        assert acceptances.count("<tr>") == 3 and "accepted" in acceptances, "both parties; the APPI notice"
        events = page.split('id="events"')[1].split("</table>")[0]
        assert "Concluded" in events and "trade trade-web-1" in events

    ja = signed_in(buyer, lang="ja")
    assert f'src="{detail}document/?lang=ja"' in text(ja.get(detail))
    assert "契約" in text(ja.get("/contracts/"))
    assert text(signed_in(other_seller).get("/contracts/")).count("/contracts/" + str(contract.id)) == 0


def test_the_document_is_served_as_stored(seller, buyer) -> None:
    contract = conclude(publish(seller, published_dataset(seller)), buyer)
    client = signed_in(buyer)
    for lang, stored in (("ja", contract.document_ja), ("en", contract.document_en)):
        response = client.get(f"/contracts/{contract.id}/document/?lang={lang}")
        assert response.status_code == 200 and response.content.decode() == stored
        assert response["Content-Language"] == lang and response["Content-Type"].startswith("text/html")
        assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get(f"/contracts/{contract.id}/document/").content.decode() == contract.document_ja
    assert client.get(f"/contracts/{contract.id}/document/?lang=fr").status_code == 400
    odrl = client.get(f"/api/v1/contracts/{contract.id}/odrl")
    assert odrl.status_code == 200, "the ODRL link works with the browser session"


def test_contracts_are_hidden_from_everybody_else(client, seller, buyer, other_seller) -> None:
    contract = conclude(publish(seller, published_dataset(seller)), buyer)
    other = signed_in(other_seller)
    for path in ("", "document/", "document/?lang=en"):
        assert other.get(f"/contracts/{contract.id}/{path}").status_code == 404
        assert client.get(f"/contracts/{contract.id}/{path}")["Location"].startswith("/login/?next=")
    assert "No contracts yet" in text(other.get("/contracts/"))
    assert client.get("/contracts/")["Location"].startswith("/login/?next=")
    assert 'href="/contracts/"' not in text(client.get("/")), "no Contracts link when signed out"
    assert signed_in(buyer).get(f"/contracts/{uuid.uuid4()}/").status_code == 404


@pytest.mark.django_db
def test_market_rules_page_in_both_languages(client) -> None:
    from contracts.meti.platform_rules import PLATFORM_RULES

    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    japanese = client.get("/rules/").content.decode()
    assert "市場規約" in japanese and all(html.escape(s.title["ja"]) in japanese for s in PLATFORM_RULES)
    assert "5%" in japanese, "the published fee is stated"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/rules/").content.decode()
    assert "Market rules" in english and all(html.escape(s.title["en"]) in english for s in PLATFORM_RULES)
