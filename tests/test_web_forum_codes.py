"""No English default in a Japanese contract or form (docs/adr/0018): the forum is a court code the documents name in
their own language, under one terms hash whatever the reader's language; offerings from before the codes, whose
terms hold the court's name, still resolve and render; the Japanese offer form offers Japanese default texts."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from contracts.meti.data_provision import DEFAULT_TEXTS, FORUM_LABELS
from contracts.meti.data_provision_terms import DEFAULTS, FORUM_CODES
from contracts.registry import template_get
from contracts.terms import terms_resolve
from deals.web.private_offers import CounterForm
from marketplace.models import Offering
from tests.builders import Party, conclude, offer, offer_data, publish, published_dataset, signed_in, text

pytestmark = pytest.mark.django_db

TEMPLATE = template_get("meti-data-provision")
COURTS = ("tokyo", "osaka", "nagoya", "fukuoka", "sapporo", "sendai", "hiroshima", "takamatsu", "yokohama", "kyoto")


def resolve(terms: dict[str, object]) -> tuple[str, str]:
    resolved = terms_resolve(template=TEMPLATE, terms=terms, license_seats=None, data_class="iot")
    return resolved.terms["forum"], resolved.sha256


def forum_line(document: str, label: str) -> str:
    return re.search(rf"{label}[^<\n]*", html.unescape(document))[0]  # type: ignore[index]


def test_the_forum_is_a_code_of_the_common_district_courts_and_the_jcaa() -> None:
    assert DEFAULTS["forum"] == "tokyo-district"
    assert {f"{city}-district" for city in (*COURTS, "kobe")} | {"jcaa"} == set(FORUM_CODES)
    for code, names in FORUM_LABELS.items():
        assert names["ja"] and names["en"], code
        assert re.fullmatch(r"[一-龥ぁ-んァ-ヶー・（）]+", names["ja"]), names["ja"]
    # A name (in either language, any case or spacing) is taken as its code: one hash for one court.
    assert resolve({}) == resolve({"forum": "Tokyo District Court"}) == resolve({"forum": " 東京地方裁判所 "})
    assert resolve({"forum": "the osaka  district court"})[0] == "osaka-district"
    # Another forum is written out and kept as written; a mistyped code is refused, naming the codes.
    assert (
        resolve({"forum": "Singapore International Arbitration Centre"})[0]
        == "Singapore International Arbitration Centre"
    )
    with pytest.raises(Exception, match="not a known code; use one of tokyo-district"):
        resolve({"forum": "tokyo"})


def test_the_offering_api_refuses_a_mistyped_code_as_a_problem(seller: Party) -> None:
    dataset = published_dataset(seller)
    response = seller.client.post(
        "/api/v1/offerings",
        {
            "dataset": str(dataset.id),
            "template": "meti-data-provision",
            "license_seats": 5,
            "terms": {"forum": "osaka"},
        },
        format="json",
    )
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == {"terms.forum": ["unknown code"]}
    assert not Offering.objects.exists()
    made = seller.client.post(
        "/api/v1/offerings",
        {
            "dataset": str(dataset.id),
            "template": "meti-data-provision",
            "license_seats": 5,
            "terms": {"forum": "大阪地方裁判所"},
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["terms"]["forum"] == "osaka-district"


@pytest.mark.parametrize(("code", "city"), [("osaka-district", "大阪"), ("jcaa", "日本商事仲裁協会")])
def test_a_contract_names_its_forum_in_each_language_under_one_terms_hash(
    seller: Party, buyer: Party, code: str, city: str
) -> None:
    offering = offer(seller, forum=code)
    assert offering.terms["forum"] == code
    contract = conclude(offering, buyer)
    names = FORUM_LABELS[code]
    assert city in names["ja"]
    assert f"紛争解決機関：{names['ja']}" in html.unescape(contract.document_ja)
    assert f"Forum: {names['en']}" in html.unescape(contract.document_en)
    assert "District Court" not in html.unescape(contract.document_ja) and code not in contract.document_ja

    # The pages in both languages show the court in the reader's language; the terms hash is the same on both.
    for lang, name in (("ja", names["ja"]), ("en", names["en"])):
        page = html.unescape(text(Client(headers={"accept-language": lang}).get(f"/offerings/{offering.id}/")))
        row = page.split('id="term-forum"')[1].split("</tr>")[0]
        assert name in row and offering.terms_sha256 in page, lang
        assert "changed by the seller" in row or "出品者が変更" in row, lang
    assert contract.terms_sha256 == offering.terms_sha256


def test_an_offering_from_before_the_codes_still_validates_and_renders_in_japanese(seller: Party, buyer: Party) -> None:
    """Stored terms are never rewritten (their hash is what buyers accept): a court's name stays as stored, renders
    in the reader's language, and counts as the default it names; another forum renders as written."""
    offering = offer(seller)
    legacy = {**offering.terms, "forum": "Tokyo District Court"}
    legacy_hash = terms_resolve(template=TEMPLATE, terms=legacy, license_seats=None, data_class="iot")
    assert legacy_hash.terms["forum"] == "tokyo-district", "resolved anew, the name is taken as the code"
    Offering.objects.filter(pk=offering.pk).update(terms=legacy, terms_sha256="a" * 64)
    offering.refresh_from_db()

    contract = conclude(offering, buyer)
    assert contract.terms["forum"] == "Tokyo District Court", "the contract copies the stored terms"
    assert "紛争解決機関：東京地方裁判所" in html.unescape(contract.document_ja)
    page = html.unescape(text(Client(headers={"accept-language": "ja"}).get(f"/offerings/{offering.id}/")))
    row = page.split('id="term-forum"')[1].split("</tr>")[0]
    assert "東京地方裁判所" in row and "Tokyo" not in row and "出品者が変更" not in row

    Offering.objects.filter(pk=offering.pk).update(terms={**legacy, "forum": "Osaka <District> Court"})
    page = html.unescape(text(Client(headers={"accept-language": "ja"}).get(f"/offerings/{offering.id}/")))
    assert "Osaka <District> Court" in page.split('id="term-forum"')[1].split("</tr>")[0]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_offer_form_starts_from_defaults_in_the_readers_language(seller: Party, lang: str) -> None:
    dataset = published_dataset(seller)
    raw = text(signed_in(seller, lang=lang).get(f"/sell/datasets/{dataset.id}/offer/"))
    page = html.unescape(raw)
    purpose = page.split('name="purpose"')[1].split("</textarea>")[0]
    assert DEFAULT_TEXTS["purpose"][lang] in purpose
    forum = raw.split('name="forum"')[1].split("</select>")[0]
    assert f'<option value="tokyo-district" selected>{FORUM_LABELS["tokyo-district"][lang]}</option>' in forum
    assert forum.count("<option") == len(FORUM_CODES)
    other = "en" if lang == "ja" else "ja"
    assert DEFAULT_TEXTS["purpose"][other] not in page
    assert FORUM_LABELS["tokyo-district"][other] not in forum


def test_a_japanese_seller_keeps_the_japanese_purpose_and_the_courts_code(seller: Party) -> None:
    dataset = published_dataset(seller)
    offering = publish(seller, dataset, purpose=DEFAULT_TEXTS["purpose"]["ja"], forum="fukuoka-district")
    assert offering.terms["purpose"] == DEFAULT_TEXTS["purpose"]["ja"], "free text is stored as the seller wrote it"
    assert offering.terms["forum"] == "fukuoka-district"
    english = html.unescape(text(Client(headers={"accept-language": "en"}).get(f"/offerings/{offering.id}/")))
    assert "Fukuoka District Court" in english.split('id="term-forum"')[1].split("</tr>")[0]
    assert "changed by the seller" not in english.split('id="term-purpose"')[1].split("</tr>")[0]

    refused = signed_in(seller).post(f"/sell/datasets/{dataset.id}/offer/", offer_data(forum="Fukuoka"))
    assert refused.status_code == 200 and 'id="field-forum"' in text(refused)
    assert Offering.objects.filter(dataset=dataset).count() == 1


def test_a_counter_offer_form_keeps_a_forum_written_out(seller: Party) -> None:
    form = CounterForm(
        template=TEMPLATE, lang="ja", terms={**DEFAULTS, "forum": "Singapore International Arbitration Centre"}
    )
    assert form.initial["forum"] == "Singapore International Arbitration Centre"
    assert ("Singapore International Arbitration Centre", "Singapore International Arbitration Centre") in list(
        form.fields["forum"].choices  # type: ignore[attr-defined]
    )
    named = CounterForm(template=TEMPLATE, lang="ja", terms={**DEFAULTS, "forum": "Kobe District Court"})
    assert named.initial["forum"] == "kobe-district"
