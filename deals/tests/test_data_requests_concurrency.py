"""An answer and the request's closing at once, on PostgreSQL: the private offer naming a request is written under
the request's row lock (``data_request_for_answer``), so an offer never names a request that closed before the
offer committed. Real threads, each with its own connection; each test holds one side's transaction open until the
database shows the other side waiting for the row's lock, so the order is forced, not hoped for."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from config.errors import Conflict
from contracts.registry import template_get
from contracts.terms import terms_resolve
from deals.models import DataRequest, DealEvent, PrivateOffer, PrivateOfferRevision
from deals.services.data_requests import data_request_answered, data_request_close, data_request_for_answer
from deals.tests.data_requests_builders import posted
from tests.builders import Party, make_party, principal, published_dataset
from tests.fixtures import require_postgres
from tests.integration.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


class Side(threading.Thread):
    """``action`` in a thread of its own, with its own connection; its backend's pid, result or exception kept."""

    def __init__(self, action: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.action = action
        self.pid: int | None = None
        self.result: Any = None

    def run(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.result = self.action()
        except Exception as exc:  # reported to the test, which asserts on it
            self.result = exc
        finally:
            connection.close()


def waiting_for_a_lock(side: Side) -> bool:
    if side.pid is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [side.pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def write_answer(seller: Party, data_request: DataRequest, dataset_id: Any) -> PrivateOffer:
    """The rows the private offers' service writes for revision 1, and its call to ``data_request_answered``."""
    template = template_get("meti-data-provision")
    resolved = terms_resolve(template=template, terms={}, license_seats=1, data_class="iot")
    offer = PrivateOffer.objects.create(
        seller_id=seller.organization.id,
        buyer_id=data_request.buyer_id,
        dataset_id=dataset_id,
        data_request=data_request,
        template_code=template.code,
        template_version=template.version,
        expires_at=timezone.now() + timedelta(days=7),
    )
    PrivateOfferRevision.objects.create(
        private_offer=offer,
        number=1,
        author="seller",
        terms=resolved.terms,
        terms_sha256=resolved.sha256,
        mandatory_clauses=list(resolved.mandatory_clauses),
        price=50_000,
        quantity=1,
        created_at=timezone.now(),
    )
    data_request_answered(data_request=data_request, private_offer=offer, principal=principal(seller))
    return offer


def parties() -> tuple[Party, Party, dict[str, Any], Any]:
    buyer = make_party("Racing Buyer", {"buyer"})
    seller = make_party("Racing Seller", {"seller"})
    return buyer, seller, posted(buyer), published_dataset(seller).id


def test_a_close_waits_for_the_answer_that_holds_the_request_and_closes_after_it() -> None:
    require_postgres()
    buyer, seller, created, dataset_id = parties()
    locked, proceed = threading.Event(), threading.Event()

    def answering() -> PrivateOffer:
        with transaction.atomic():
            data_request = data_request_for_answer(principal=principal(seller), data_request_id=created["id"])
            locked.set()
            assert proceed.wait(60)
            return write_answer(seller, data_request, dataset_id)

    answerer = Side(answering)
    answerer.start()
    assert locked.wait(60)
    closer = Side(lambda: data_request_close(principal=principal(buyer), data_request_id=created["id"]))
    closer.start()
    wait_for(lambda: waiting_for_a_lock(closer), timeout=30, what="the close to wait for the request's lock")
    proceed.set()
    answerer.join(60)
    closer.join(60)

    assert isinstance(answerer.result, PrivateOffer), answerer.result
    assert isinstance(closer.result, DataRequest) and closer.result.status == "closed", closer.result
    kinds = list(DealEvent.objects.filter(data_request_id=created["id"]).order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "answered", "closed"]


def test_an_answer_waits_for_the_close_that_holds_the_request_and_is_refused_after_it() -> None:
    require_postgres()
    buyer, seller, created, dataset_id = parties()
    locked, proceed = threading.Event(), threading.Event()

    def closing() -> DataRequest:
        with transaction.atomic():
            closed = data_request_close(principal=principal(buyer), data_request_id=created["id"])
            locked.set()
            assert proceed.wait(60)
            return closed

    def answering() -> PrivateOffer:
        with transaction.atomic():
            data_request = data_request_for_answer(principal=principal(seller), data_request_id=created["id"])
            return write_answer(seller, data_request, dataset_id)

    closer = Side(closing)
    closer.start()
    assert locked.wait(60)
    answerer = Side(answering)
    answerer.start()
    wait_for(lambda: waiting_for_a_lock(answerer), timeout=30, what="the answer to wait for the request's lock")
    proceed.set()
    closer.join(60)
    answerer.join(60)

    assert isinstance(closer.result, DataRequest), closer.result
    assert isinstance(answerer.result, Conflict) and "closed" in answerer.result.detail, answerer.result
    assert not PrivateOffer.objects.exists()
