"""A buyer whose connector negotiated through the Dataspace Protocol follows it in a real headless Chromium
(Playwright) against the live server: from the header's DSP negotiations to the contract the negotiation concluded,
whose page shows the negotiation's state, its timeline and its transfer, in Japanese and then in English.

The negotiation is written as rows beside a real trade before the browser acts (dataspace/tests/processes.py), and
read after it, so letting Django's ORM run beside Playwright's event loop is safe here (tests/browser.py).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from dataspace.tests.processes import finalized_negotiation
from tests.browser import PASSWORD, SCREENSHOTS, sign_in, switch_language
from tests.builders import entitled, make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_buyer_opens_its_contract_and_sees_the_negotiation_and_its_transfer(browser_page: Any, capture) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    buyer = make_party("Rheinwerk Analytics", {"buyer"}, password=PASSWORD)
    negotiation = finalized_negotiation(entitled(seller, buyer, capture))
    (transfer,) = negotiation.transfers.all()
    page = browser_page

    # The header leads to the organisation's DSP negotiations, in Japanese.
    sign_in(page, buyer.email)
    page.click("header nav a[href='/dataspace/negotiations/']")
    page.wait_for_url("**/dataspace/negotiations/")
    row = page.locator(f"#dsp-negotiation-{negotiation.id}")
    assert "確定" in row.inner_text() and "Kansai Bridge Monitoring" in row.inner_text()
    page.screenshot(path=SCREENSHOTS / "ichiba-dsp-negotiations-ja.png", full_page=True)

    # Its contract's page shows the negotiation that concluded it and its transfer.
    row.locator(f"a[href='/contracts/{negotiation.contract_id}/']").click()
    page.wait_for_url(f"**/contracts/{negotiation.contract_id}/")
    dsp = page.locator("#dataspace-protocol")
    assert "データスペースプロトコル" in dsp.locator("h2").inner_text()
    assert dsp.locator("#dsp-negotiation-state").inner_text() == "確定"
    assert dsp.locator("#dsp-provider-pid").inner_text() == negotiation.provider_pid
    assert dsp.locator("#dsp-negotiation-events tbody tr").count() == 4
    assert dsp.locator("#dsp-negotiation-messages .dsp-message[data-status='delivered']").count() == 2
    shown = dsp.locator(f"#dsp-transfer-{transfer.id}")
    assert shown.locator(".dsp-transfer-state").inner_text() == "完了"
    assert transfer.provider_pid in shown.inner_text()
    dsp.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "ichiba-dsp-contract-ja.png", full_page=True)

    # The same in English.
    switch_language(page)
    dsp = page.locator("#dataspace-protocol")
    assert "Dataspace Protocol" in dsp.locator("h2").inner_text()
    assert dsp.locator("#dsp-negotiation-state").inner_text() == "Finalized"
    assert dsp.locator(f"#dsp-transfer-{transfer.id} .dsp-transfer-state").inner_text() == "Completed"
    assert "Agreed → Verified" in dsp.locator("#dsp-negotiation-events").inner_text()
    page.screenshot(path=SCREENSHOTS / "ichiba-dsp-contract-en.png", full_page=True)
