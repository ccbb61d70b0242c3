"""Requests for data: a verified buyer asks for data nobody lists yet; verified sellers read the open requests and
answer each with a private offer that names it (docs/domain.md#requests-for-data).

A request is ``open`` until its buyer closes it or its ``respond_by`` passes. Nothing runs at ``respond_by``: a
request past it is *expired*, a status computed when it is read (``deals.selectors.data_request_status``), and it
counts as closed for listing, answering and closing. The stored status says only whether the buyer closed it.

The private offers' service asks ``data_request_for_answer`` before it writes an offer that names a request (under
the request's row lock, so an offer never names a request closed meanwhile), and calls ``data_request_answered`` in
the same transaction once the offer is written: an event on the request, and the ``data_request.answered`` webhook
to its buyer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pycountry
from django.db import transaction
from django.utils import timezone

from catalog.models import Category, DataClass
from config.api.principal import Principal
from config.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from config.text import text_refusal
from contracts.terms import unknown_countries
from deals import selectors
from deals.models import DataRequest, DealEvent, PrivateOffer
from settlement.services.webhooks import webhook_publish

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_PURPOSE = 2000
MAX_BUDGET = 10**12
MAX_TERRITORY = 250  # as the terms' schema: every country there is
MAX_RESPOND_DAYS = 180

PERSONAL_DATA_REFUSAL = (
    "Personal data cannot be requested on Ichiba. The market trades anonymously processed information "
    "(匿名加工情報) and non-personal data such as IoT sensing only; personal data moves under the data "
    "subject's own control through an information bank (情報銀行) or a PDS. Ask for anonymised data: "
    'data_class "anonymized".'
)

# The reasons a field is refused, as ``DomainError.errors`` states them (plain English, stable: the web form says
# each one in the reader's words).
UNKNOWN_COUNTRY = "unknown country"
UNKNOWN_CURRENCY = "unknown currency"
NOT_IN_FUTURE = "must be in the future"
TOO_FAR = f"at most {MAX_RESPOND_DAYS} days ahead"

_EVENT_NAMESPACE = uuid.UUID("1b6f1f8e-4a0e-4c8e-9d55-7a1d2b5c9e13")


# --- one rule each -------------------------------------------------------------------------------------------


def requested_data_class_check(data_class: str) -> None:
    """A request asks for what the market trades: anonymised or IoT data. Personal data is refused by the rule
    that refuses it for datasets (422 ``personal-data-refused``); anything else is not a data class (400)."""
    if data_class == "personal":
        raise RuleViolation(
            PERSONAL_DATA_REFUSAL, errors={"data_class": ["personal data is refused"]}, code="personal-data-refused"
        )
    if data_class not in DataClass.values:
        raise InvalidInput(
            f"data_class must be one of: {', '.join(DataClass.values)}.", errors={"data_class": ["invalid choice"]}
        )


def territory_clean(codes: Iterable[Any]) -> list[str]:
    """The countries a request wants the data for, as the terms hold a territory: ISO 3166-1 alpha-2 codes,
    upper-case, each once, sorted; at least one."""
    listed = list(codes)
    if not listed or len(listed) > MAX_TERRITORY or not all(isinstance(code, str) for code in listed):
        raise InvalidInput(
            f'territory is a list of 1 to {MAX_TERRITORY} ISO 3166-1 alpha-2 country codes, such as ["JP"].',
            errors={"territory": ["a non-empty list of country codes is required"]},
        )
    cleaned = sorted({code.strip().upper() for code in listed})
    unknown = unknown_countries(cleaned)
    if unknown:
        raise InvalidInput(
            f"Not ISO 3166-1 alpha-2 country codes: {', '.join(unknown)}.",
            errors={"territory": [f"{UNKNOWN_COUNTRY}: {code}" for code in unknown]},
        )
    return cleaned


def currency_clean(currency: str) -> str:
    code = currency.strip().upper()
    if len(code) != 3 or not code.isascii() or pycountry.currencies.get(alpha_3=code) is None:
        raise InvalidInput("currency is an ISO 4217 code such as JPY.", errors={"currency": [UNKNOWN_CURRENCY]})
    return code


def respond_by_check(respond_by: datetime, *, now: datetime) -> None:
    """Sellers answer until ``respond_by``: after now, and at most 180 days ahead."""
    if timezone.is_naive(respond_by):
        raise InvalidInput("respond_by needs a time zone offset.", errors={"respond_by": ["time zone required"]})
    if respond_by <= now:
        raise InvalidInput("respond_by must be in the future.", errors={"respond_by": [NOT_IN_FUTURE]})
    if respond_by > now + timedelta(days=MAX_RESPOND_DAYS):
        raise InvalidInput(f"respond_by is at most {MAX_RESPOND_DAYS} days ahead.", errors={"respond_by": [TOO_FAR]})


def _text(value: str, field: str, *, maximum: int, multiline: bool, required: bool) -> str:
    if required and not value.strip():
        raise InvalidInput(f"{field} is required.", errors={field: ["required"]})
    if len(value) > maximum:
        raise InvalidInput(f"{field} has at most {maximum} characters.", errors={field: ["too long"]})
    refusal = text_refusal(value, multiline=multiline)
    if refusal is not None:
        raise InvalidInput(f"{field}: {refusal}", errors={field: [str(refusal)]})
    return value


def _requester_check(principal: Principal) -> None:
    if not principal.verified:
        raise Forbidden("Only organisations verified by the market operator may request data.")
    if not principal.is_buyer:
        raise Forbidden("Only organisations with the buyer role may request data.")


def _event(data_request: DataRequest, kind: str, principal: Principal | None, **payload: Any) -> None:
    DealEvent.objects.create(
        data_request=data_request,
        kind=kind,
        actor_organization_id=principal.organization_id if principal else None,
        actor_user_id=principal.user_id if principal else None,
        payload=payload,
    )


# --- use cases -----------------------------------------------------------------------------------------------


@transaction.atomic
def data_request_create(
    *,
    principal: Principal,
    title: str,
    description: str = "",
    data_class: str,
    category: str,
    territory: Iterable[Any],
    purpose: str,
    budget_max: int | None = None,
    currency: str = "JPY",
    respond_by: datetime,
    public_identity: bool = False,
) -> DataRequest:
    """A verified buyer's request, open at once to verified sellers (its name shown to them only if
    ``public_identity``). Licences only: sellers answer with private offers of a licence."""
    _requester_check(principal)
    requested_data_class_check(data_class)
    if category not in Category.values:
        raise InvalidInput(
            f"category must be one of: {', '.join(Category.values)}.", errors={"category": ["invalid choice"]}
        )
    title = _text(title, "title", maximum=MAX_TITLE, multiline=False, required=True).strip()
    description = _text(description, "description", maximum=MAX_DESCRIPTION, multiline=True, required=False)
    purpose = _text(purpose, "purpose", maximum=MAX_PURPOSE, multiline=True, required=True)
    if budget_max is not None and not (1 <= budget_max <= MAX_BUDGET):
        raise InvalidInput(
            f"budget_max is from 1 to {MAX_BUDGET} minor units, or null for none.",
            errors={"budget_max": ["out of range"]},
        )
    respond_by_check(respond_by, now=timezone.now())
    data_request = DataRequest.objects.create(
        buyer_id=principal.organization_id,
        title=title,
        description=description,
        data_class=data_class,
        category=category,
        territory=territory_clean(territory),
        purpose=purpose,
        budget_max=budget_max,
        currency=currency_clean(currency),
        respond_by=respond_by,
        public_identity=public_identity,
        created_by_user_id=principal.user_id,
        created_by_api_key_id=principal.api_key_id,
    )
    _event(data_request, "created", principal)
    return data_request


@transaction.atomic
def data_request_close(*, principal: Principal, data_request_id: Any) -> DataRequest:
    """Its buyer closes a request: sellers no longer see it or answer it. The offers already made stay as they are
    (each an open negotiation of its own). 403 to a seller who sees it, 404 to anyone else; 409 once it is closed
    or past its ``respond_by``."""
    shown = selectors.data_request_get(data_request_id=data_request_id, principal=principal)
    if shown.buyer_id != principal.organization_id:
        raise Forbidden("Only the buyer who made the request may close it.")
    data_request = DataRequest.objects.select_for_update().get(pk=shown.pk)
    status = selectors.data_request_status(data_request)
    if status == selectors.DataRequestStatus.CLOSED:
        raise Conflict("The request is already closed.", errors={"status": ["closed"]})
    if status == selectors.DataRequestStatus.EXPIRED:
        raise Conflict(
            "The request is past its respond_by: it is closed to answers already.", errors={"status": ["expired"]}
        )
    data_request.status = DataRequest.Status.CLOSED
    data_request.closed_at = timezone.now()
    data_request.save(update_fields=["status", "closed_at"])
    _event(data_request, "closed", principal)
    return data_request


def data_request_for_answer(*, principal: Principal, data_request_id: Any) -> DataRequest:
    """The request a seller's private offer is to name, locked (call inside the offer's transaction, so that the
    request cannot close before the offer commits): the caller must be a verified seller (404 to anyone else, as
    for a request it cannot see), not the request's buyer (422), and the request open (409 once closed or past its
    ``respond_by``, whether or not the seller answered it before: it saw the request open, and needs to know why
    its offer is refused)."""
    assert transaction.get_connection().in_atomic_block, "lock the request inside the offer's transaction"
    try:
        wanted = uuid.UUID(str(data_request_id))
    except ValueError as exc:
        raise NotFound("No such request for data.") from exc
    data_request = DataRequest.objects.select_for_update(of=("self",)).select_related("buyer").filter(pk=wanted).first()
    if data_request is None or not selectors.reads_open_requests(principal):
        raise NotFound("No such request for data.")
    if data_request.buyer_id == principal.organization_id:
        raise RuleViolation(
            "An organisation cannot answer its own request for data.", errors={"data_request": ["your own request"]}
        )
    status = selectors.data_request_status(data_request)
    if status != selectors.DataRequestStatus.OPEN:
        raise Conflict(
            f"The request for data is {status}: it takes no more answers.", errors={"data_request": [str(status)]}
        )
    return data_request


def data_request_answered(*, data_request: DataRequest, private_offer: PrivateOffer, principal: Principal) -> None:
    """A private offer naming ``data_request`` was written (in this transaction): the event on the request, and
    ``data_request.answered`` to its buyer, with the offer's data as the private offer events carry it (its id,
    status, latest revision, price, quantity, currency, dataset, the parties' ids, the request, the expiry)."""
    assert private_offer.data_request_id == data_request.pk
    latest = private_offer.revisions.order_by("-number").first()
    assert latest is not None, "an offer has its first revision"
    _event(data_request, "answered", principal, private_offer=str(private_offer.pk))
    webhook_publish(
        organization_id=data_request.buyer_id,
        event_type="data_request.answered",
        event_id=uuid.uuid5(_EVENT_NAMESPACE, f"{private_offer.pk}:answered"),
        data={
            "id": str(private_offer.pk),
            "status": private_offer.status,
            "revision": latest.number,
            "author": latest.author,
            "terms_sha256": latest.terms_sha256,
            "price": latest.price,
            "quantity": latest.quantity,
            "currency": private_offer.currency,
            "dataset": str(private_offer.dataset_id),
            "seller": str(private_offer.seller_id),
            "buyer": str(private_offer.buyer_id),
            "data_request": str(data_request.pk),
            "expires_at": private_offer.expires_at.isoformat(),
        },
    )
