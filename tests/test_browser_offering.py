"""A seller offers a dataset in a real headless Chromium (Playwright), against pytest-django's live server:
the offer form, the contract preview, publishing, and the offering's page; then a buyer's contract page.

As in tests/test_browser.py, data is only created before the browser acts and read after it, so letting
Django's ORM run beside Playwright's event loop is safe here.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from contracts.registry import template_get
from contracts.services.contracts import BuyerSnapshot, contract_conclude
from marketplace.models import Offering
from marketplace.selectors import offer_snapshot
from tests.browser import PASSWORD, SCREENSHOTS, published_strain_dataset, sign_in
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEMPLATE = template_get("meti-data-provision")


def switch_language(page: Any) -> None:
    """The header's language button (the other language than the current one)."""
    with page.expect_navigation():
        page.click("header .lang-form button[name=language]")


def test_seller_previews_and_publishes_an_offering(browser_context: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    dataset = published_strain_dataset(seller)
    page = browser_context.new_page()

    sign_in(page, seller.email)
    page.click("header nav a[href='/sell/']")
    page.click(f"main a[href='/datasets/{dataset.id}/']")
    page.wait_for_url(f"**/datasets/{dataset.id}/")
    page.click("#offer-dataset")
    page.wait_for_url(f"**/sell/datasets/{dataset.id}/offer/")

    assert page.input_value("input[name=duration_days]") == "365", "pre-filled with the template's default"
    assert page.input_value("input[name=territory]") == "JP"
    assert page.is_disabled("input[name=license_seats]"), "unlimited seats by default"
    assert page.is_disabled("input[name=liability_cap__amount]"), "an amount only for a fixed cap"
    help_text = page.inner_text("#term-territory .term-help")
    assert help_text == TEMPLATE.term_help["territory"]["ja"]
    assert "利用目的" in page.inner_text("#term-purpose label")
    page.screenshot(path=SCREENSHOTS / "ichiba-offer-form-ja.png", full_page=True)

    page.fill("input[name=duration_days]", "90")
    page.fill("input[name=territory]", "JP, DE")
    page.uncheck("input[name=unlimited]")
    assert page.is_enabled("input[name=license_seats]")
    page.fill("input[name=license_seats]", "5")
    page.click("#preview-button")
    page.wait_for_selector("#preview")

    frame = page.frame_locator("#preview-frame")
    frame.locator("section h2").first.wait_for()
    titles = frame.locator("section h2").all_inner_texts()
    expected = TEMPLATE.clauses_for("iot")
    assert len(titles) == len(expected)
    for title, clause in zip(titles, expected, strict=True):
        assert clause.title["ja"] in title
    license_text = frame.locator("#license").inner_text()
    assert "ドイツ" in license_text or "DE" in license_text
    assert "（買主）" in frame.locator("body").inner_text()
    assert "プレビュー" in page.inner_text("#preview .preview-head")
    assert page.input_value("input[name=duration_days]") == "90", "the form keeps the changes"
    assert not Offering.objects.exists(), "a preview saves nothing"
    page.screenshot(path=SCREENSHOTS / "ichiba-offer-preview-ja.png", full_page=True)

    page.click("#preview button[value=publish]")
    page.wait_for_url("**/offerings/*/")
    offering = Offering.objects.get(dataset=dataset)
    assert page.url.endswith(f"/offerings/{offering.id}/")
    assert offering.terms["duration_days"] == 90 and offering.terms["territory"] == ["DE", "JP"]
    assert offering.license_seats == 5

    changed = page.locator("#terms tr.changed")
    assert sorted(changed.evaluate_all("rows => rows.map(r => r.id)")) == ["term-duration_days", "term-territory"]
    assert "出品者が変更" in changed.first.inner_text()
    assert page.inner_text("#seats-left") == "5 席中 残り 5 席"
    assert page.inner_text("#terms-sha256") == offering.terms_sha256
    background = page.eval_on_selector("#term-duration_days td", "td => getComputedStyle(td).backgroundColor")
    unchanged = page.eval_on_selector("#term-purpose td", "td => getComputedStyle(td).backgroundColor")
    assert background != unchanged, "changed terms are highlighted"
    page.click("#text-license summary")
    assert page.locator("#text-license p").first.is_visible()
    page.screenshot(path=SCREENSHOTS / "ichiba-offering-ja.png", full_page=True)

    switch_language(page)
    assert "changed by the seller" in page.inner_text("#term-territory")
    page.screenshot(path=SCREENSHOTS / "ichiba-offering-en.png", full_page=True)
    page.goto(f"/sell/datasets/{dataset.id}/offer/")
    assert "Purpose of use" in page.inner_text("#term-purpose")
    page.screenshot(path=SCREENSHOTS / "ichiba-offer-form-en.png", full_page=True)


def test_buyer_reads_its_contract(browser_context: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"})
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    dataset = published_strain_dataset(seller)
    from marketplace.services.offerings import offering_publish
    from marketplace.services.participants import principal_for

    offering = offering_publish(
        principal=principal_for(seller.organization),
        dataset_id=dataset.id,
        template_code=TEMPLATE.code,
        terms={"duration_days": 30},
        license_seats=None,
    )
    offering = Offering.objects.select_related("seller").get(pk=offering.pk)
    contract = contract_conclude(
        offering=offer_snapshot(offering),
        buyer=BuyerSnapshot(
            organization_id=buyer.organization.id,
            name=buyer.organization.name,
            country="JP",
            verified=buyer.organization.verified,
            is_buyer=buyer.organization.is_buyer,
        ),
        price=40_000,
        quantity=1,
        accepted_terms_sha256=offering.terms_sha256,
        trade_ref="trade-browser",
    )
    page = browser_context.new_page()

    sign_in(page, buyer.email)
    page.click("header nav a[href='/contracts/']")
    page.wait_for_url("**/contracts/")
    page.click(f"#contracts a[href='/contracts/{contract.id}/'] >> nth=0")
    page.wait_for_url(f"**/contracts/{contract.id}/")
    assert page.inner_text("#document-sha256") == contract.document_sha256
    frame = page.frame_locator("#document-frame")
    assert "データ提供契約" in frame.locator("h1").inner_text()
    assert frame.locator("section").count() == len(TEMPLATE.clauses_for("iot"))
    page.wait_for_function("document.getElementById('document-frame').offsetHeight > 400")
    page.screenshot(path=SCREENSHOTS / "ichiba-contract-ja.png", full_page=True)
    switch_language(page)
    assert "Data Provision Agreement" in page.frame_locator("#document-frame").locator("h1").inner_text()
    page.screenshot(path=SCREENSHOTS / "ichiba-contract-en.png", full_page=True)


def test_seller_offers_a_subscription(browser_context: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    dataset = published_strain_dataset(seller)
    page = browser_context.new_page()
    sign_in(page, seller.email)
    page.goto(f"{page.url.split('/', 3)[0]}//{page.url.split('/', 3)[2]}/sell/datasets/{dataset.id}/offer/")

    assert page.is_checked("input[name=kind][value=licence]"), "a licence unless the seller chooses otherwise"
    assert page.is_hidden("#subscription-fields")
    assert page.is_enabled("input[name=duration_days]")
    page.check("input[name=kind][value=subscription]")
    assert page.is_visible("#subscription-fields")
    assert page.is_disabled("input[name=duration_days]"), "a subscription's term is its periods"
    assert page.is_disabled("input[name=stream]"), "no MQTT broker on this market"
    assert "MQTTブローカーが設定されていません" in page.inner_text("#offering-kind")
    assert page.input_value("input[name=min_versions_per_period]") == "1"
    page.fill("input[name=period_days]", "30")
    page.fill("input[name=term_periods]", "12")
    page.fill("input[name=min_versions_per_period]", "4")
    page.click("#preview-button")
    page.wait_for_selector("#preview")
    frame = page.frame_locator("#preview-frame")
    frame.locator("#subscription").wait_for()
    assert "30日間の期間" in frame.locator("#subscription").inner_text()
    assert page.is_checked("input[name=kind][value=subscription]"), "the form keeps the choice"
    assert page.is_disabled("input[name=duration_days]")
    page.screenshot(path=SCREENSHOTS / "ichiba-offer-subscription-ja.png", full_page=True)

    page.click("#preview button[value=publish]")
    page.wait_for_url("**/offerings/*/")
    assert page.inner_text("#subscription-term") == "12回（360日間）"
    assert "4件以上" in page.inner_text("#delivery-commitment")
    assert page.is_visible("#delivery-record")
    offering = Offering.objects.get(dataset=dataset)
    assert (offering.kind, offering.period_days, offering.term_periods, offering.terms["duration_days"]) == (
        "subscription",
        30,
        12,
        360,
    )
