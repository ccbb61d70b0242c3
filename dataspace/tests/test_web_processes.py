"""DSP processes on the web (Django test client): the "Dataspace Protocol" panel of a contract's page and the page
listing an organisation's negotiations, for the consumer and the seller, in English and Japanese."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dataspace.models import Negotiation
from dataspace.tests.processes import CALLBACK_ADDRESS, finalized_negotiation, terminated_negotiation
from demo.dsp import GIVEN_UP_ERROR
from tests.builders import Party, entitled, section, signed_in, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def finalized(seller: Party, buyer: Party, capture: Any) -> Negotiation:
    return finalized_negotiation(entitled(seller, buyer, capture), transfers=("COMPLETED", "TERMINATED"))


def panel(party: Party, negotiation: Negotiation, *, lang: str = "en") -> str:
    response = signed_in(party, lang=lang).get(f"/contracts/{negotiation.contract_id}/")
    assert response.status_code == 200
    return html.unescape(section(text(response), "dataspace-protocol"))


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("Dataspace Protocol", "Finalized", "Completed", "Terminated", "Delivered", "Failed", "Consumer")),
        ("ja", ("データスペースプロトコル", "確定", "完了", "打ち切り", "配信済み", "失敗", "利用者")),
    ],
)
def test_the_buyer_sees_the_negotiation_and_its_transfers_beside_its_contract(
    buyer, finalized, lang: str, words: tuple[str, ...]
) -> None:
    shown = panel(buyer, finalized, lang=lang)
    for word in words:
        assert word in shown, word
    assert finalized.provider_pid in shown and finalized.consumer_pid in shown
    assert CALLBACK_ADDRESS in shown, "the consumer sees its own callback address"
    assert 'id="dsp-negotiation-state" data-state="FINALIZED"' in shown
    assert shown.count('class="dsp-message"') == 2 + 1 + 1, "two for the negotiation, one for each transfer"
    assert "ContractAgreementMessage" in shown and "TransferStartMessage" in shown
    assert GIVEN_UP_ERROR in shown, "why a message failed, to the consumer"
    assert f'href="/api/v1/dsp/negotiations/{finalized.id}"' in shown


def test_the_seller_sees_it_without_the_consumers_side_of_the_wire(seller, finalized) -> None:
    shown = panel(seller, finalized, lang="ja")
    assert "データスペースプロトコル" in shown and finalized.provider_pid in shown
    assert "買い手のコネクタ" in shown, "told it answered as the provider"
    assert "connector.consumer.example" not in shown and "dsp-callback-address" not in shown
    assert 'data-status="failed"' in shown and "HTTP 503" in shown, "the delivery state"
    assert GIVEN_UP_ERROR not in shown, "not what the consumer's server answered"


def test_a_contract_concluded_otherwise_has_no_panel_and_the_panel_costs_fixed_queries(
    seller, buyer, capture, finalized
) -> None:
    plain = entitled(seller, buyer, capture)
    page = text(signed_in(buyer).get(f"/contracts/{plain.contract_id}/"))
    assert 'id="dataspace-protocol"' not in page and "Dataspace Protocol" not in page

    def queries(negotiation: Negotiation) -> int:
        client = signed_in(buyer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/contracts/{negotiation.contract_id}/").status_code == 200
        return len(captured.captured_queries)

    more = finalized_negotiation(
        entitled(seller, buyer, capture), consumer_pid="urn:uuid:more", transfers=("COMPLETED",) * 4
    )
    assert queries(more) == queries(finalized)


@pytest.mark.parametrize(
    ("lang", "heading", "state"), [("en", "DSP negotiations", "Finalized"), ("ja", "データスペース交渉", "確定")]
)
def test_the_list_shows_each_sides_negotiations_with_states_and_contracts(
    seller, buyer, other_seller, finalized, lang: str, heading: str, state: str
) -> None:
    entitlement = finalized.transfers.get(state="COMPLETED").entitlement
    terminated = terminated_negotiation(entitlement, consumer_pid="urn:uuid:second")

    as_buyer = html.unescape(text(signed_in(buyer, lang=lang).get("/dataspace/negotiations/")))
    assert re.search(f'<a href="/dataspace/negotiations/"[^>]*>{heading}</a>', as_buyer), "in the header"
    consumed = section(as_buyer, "consumed")
    row = section(consumed, f"dsp-negotiation-{finalized.id}")
    assert state in row and f'href="/contracts/{finalized.contract_id}/"' in row
    assert seller.organization.name in row and 'data-state="COMPLETED"' not in row
    assert 'title="COMPLETED"' in row and 'title="TERMINATED"' in row, "its transfers' states"
    assert f"dsp-negotiation-{terminated.id}" in consumed and "sold-out" in consumed
    assert 'id="provided"' not in as_buyer, "a buyer sells nothing"

    as_seller = text(signed_in(seller, lang=lang).get("/dataspace/negotiations/"))
    provided = section(as_seller, "provided")
    assert buyer.organization.name in section(provided, f"dsp-negotiation-{finalized.id}")
    assert 'id="consumed"' not in as_seller

    stranger = text(signed_in(other_seller, lang=lang).get("/dataspace/negotiations/"))
    assert str(finalized.id) not in stranger and 'class="empty"' in stranger


def test_the_list_is_for_signed_in_members(client) -> None:
    assert client.get("/dataspace/negotiations/")["Location"].startswith("/login/?next=")
    assert "/dataspace/negotiations/" not in text(client.get("/"))
