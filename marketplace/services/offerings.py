"""Use cases of offerings: publish (the seller accepts its own offer), withdraw, and where the seller delivers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pycountry
from django.db import transaction
from django.utils import timezone

from catalog.models import Dataset
from catalog.services.datasets import takedown_clean
from config.api.principal import Principal
from config.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from config.market import streams_enabled
from config.outbound import outbound_url_clean
from contracts.meti.data_provision_terms import (
    MAX_MESSAGES_PER_PERIOD,
    MAX_PERIOD_DAYS,
    MAX_SUBSCRIPTION_DAYS,
    MAX_TERM_PERIODS,
    MAX_VERSIONS_PER_PERIOD,
)
from contracts.registry import Template, template_get
from contracts.terms import ResolvedTerms, terms_resolve
from marketplace import states
from marketplace.models import Offering, OfferingEvent
from marketplace.services.exclusivity import exclusivity_check, is_exclusive
from marketplace.services.orders import offering_cancel_resting_orders

MAX_SEATS = 1_000_000
DELIVERY_URL_MAX_LENGTH = Offering._meta.get_field("delivery_url").max_length or 500


def _event(
    offering: Offering,
    *,
    to_status: str,
    from_status: str = "",
    principal: Principal | None,
    reason: str,
    payload: Mapping[str, Any] | None = None,
) -> None:
    OfferingEvent.objects.create(
        offering=offering,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:200],
        actor_organization_id=principal.organization_id if principal else None,
        actor_user_id=principal.user_id if principal else None,
        payload=dict(payload or {}),
    )


def _dataset_to_offer(dataset_id: uuid.UUID, *, seller_id: uuid.UUID) -> Dataset:
    """The seller's dataset to offer, its row locked (publications on one dataset are judged one after the other);
    only a published one (it has a published version to license)."""
    dataset = Dataset.objects.select_for_update().filter(pk=dataset_id, seller_id=seller_id).first()
    if dataset is None:
        raise NotFound("No such dataset.")
    if dataset.status != Dataset.Status.PUBLISHED:
        raise Conflict(
            f"The dataset is {dataset.status}; only a published dataset (with a published version) can be offered."
        )
    return dataset


def _check_currency(currency: str) -> str:
    code = currency.upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise InvalidInput("currency is an ISO 4217 code such as JPY.", errors={"currency": ["unknown currency"]})
    return code


def delivery_url_clean(url: str) -> str:
    """ "" (the market delivers the stored version) or the seller's own endpoint, through the one guard for other
    parties' URLs (config/outbound.py: https, no credentials or fragment, a public host). May resolve the host's
    name: call it before taking a lock."""
    if not url.strip():
        return ""
    return outbound_url_clean(url, field="delivery_url", max_length=DELIVERY_URL_MAX_LENGTH)


@dataclass(frozen=True)
class SubscriptionShape:
    """A subscription offering's period, term and delivery commitment, checked (``subscription_shape``)."""

    period_days: int
    term_periods: int
    min_versions_per_period: int
    stream: bool = False
    min_messages_per_period: int | None = None

    @property
    def term_days(self) -> int:
        return self.period_days * self.term_periods

    def as_terms(self) -> dict[str, Any]:
        """The terms' ``subscription`` object, which the buyer accepts with the rest of the terms."""
        terms: dict[str, Any] = {
            "period_days": self.period_days,
            "term_periods": self.term_periods,
            "min_versions_per_period": self.min_versions_per_period,
            "stream": self.stream,
        }
        if self.min_messages_per_period is not None:
            terms["min_messages_per_period"] = self.min_messages_per_period
        return terms


# The reasons a field is refused for, plain English kept stable for the API (the web form words them for people).
REQUIRED = "required for a subscription"
OUT_OF_RANGE = "out of range"
SUBSCRIPTION_ONLY = "only for kind: subscription"
STREAM_ONLY = "only with stream: true"
TERM_TOO_LONG = "term too long"
STREAMS_OFF = "live streams are off on this market"
NOT_BOOLEAN = "true or false"
UNKNOWN_KIND = "unknown kind"


def subscription_shape(
    *,
    kind: str = Offering.Kind.LICENCE,
    period_days: int | None = None,
    term_periods: int | None = None,
    min_versions_per_period: int | None = None,
    stream: bool = False,
    min_messages_per_period: int | None = None,
) -> SubscriptionShape | None:
    """The offering's kind and subscription fields, checked: ``None`` for a licence (which takes none of them), the
    shape of a subscription. InvalidInput names each field at fault; ``stream`` while the market runs no broker is
    a RuleViolation (422)."""
    if kind not in Offering.Kind.values:
        raise InvalidInput(f"kind is one of {', '.join(Offering.Kind.values)}.", errors={"kind": [UNKNOWN_KIND]})
    given = {
        "period_days": period_days,
        "term_periods": term_periods,
        "min_versions_per_period": min_versions_per_period,
        "min_messages_per_period": min_messages_per_period,
    }
    if kind == Offering.Kind.LICENCE:
        extra = [name for name, value in given.items() if value is not None] + (["stream"] if stream else [])
        if extra:
            raise InvalidInput(
                f"{', '.join(extra)} belong to a subscription; a licence (kind: licence) takes none of them.",
                errors={name: [SUBSCRIPTION_ONLY] for name in extra},
            )
        return None
    errors: dict[str, list[str]] = {}
    sentences: list[str] = []
    for name in ("period_days", "term_periods"):
        if given[name] is None:
            errors[name] = [REQUIRED]
            sentences.append(f"{name} is required for a subscription")
    bounds = {
        "period_days": (period_days, MAX_PERIOD_DAYS),
        "term_periods": (term_periods, MAX_TERM_PERIODS),
        "min_versions_per_period": (
            1 if min_versions_per_period is None else min_versions_per_period,
            MAX_VERSIONS_PER_PERIOD,
        ),
        "min_messages_per_period": (min_messages_per_period, MAX_MESSAGES_PER_PERIOD),
    }
    checked: dict[str, int | None] = {}
    for name, (value, high) in bounds.items():
        checked[name] = value
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high):
            errors[name] = [OUT_OF_RANGE]
            sentences.append(f"{name} is a whole number from 1 to {high:,}")
            checked[name] = None
    period, periods = checked["period_days"], checked["term_periods"]
    if not isinstance(stream, bool):
        errors["stream"] = [NOT_BOOLEAN]
        sentences.append("stream is true or false")
    elif min_messages_per_period is not None and not stream and "min_messages_per_period" not in errors:
        errors["min_messages_per_period"] = [STREAM_ONLY]
        sentences.append("min_messages_per_period is only for a live stream (stream: true), where messages are counted")
    if period is not None and periods is not None and period * periods > MAX_SUBSCRIPTION_DAYS:
        errors["term_periods"] = [TERM_TOO_LONG]
        sentences.append(
            f"the whole term, term_periods x period_days = {period * periods:,} days, is at most "
            f"{MAX_SUBSCRIPTION_DAYS:,} days"
        )
    if errors:
        detail = "; ".join(sentences)
        raise InvalidInput(f"{detail[0].upper()}{detail[1:]}.", errors=errors)
    assert period is not None and periods is not None and checked["min_versions_per_period"] is not None
    if stream and not streams_enabled():
        raise RuleViolation(
            "Live streams are not enabled on this market (no MQTT broker is configured): offer the subscription "
            "without stream.",
            errors={"stream": [STREAMS_OFF]},
        )
    return SubscriptionShape(
        period_days=period,
        term_periods=periods,
        min_versions_per_period=checked["min_versions_per_period"],
        stream=bool(stream),
        min_messages_per_period=checked["min_messages_per_period"],
    )


def offering_terms_resolve(
    *,
    template: Template,
    terms: Mapping[str, Any],
    license_seats: int | None,
    data_class: str,
    subscription: SubscriptionShape | None,
) -> ResolvedTerms:
    """An offering's terms as publishing validates and hashes them, its subscription's shape included (the web form's
    preview validates through here too, so it refuses what publishing would)."""
    return terms_resolve(
        template=template,
        terms=terms,
        license_seats=license_seats,
        data_class=data_class,
        subscription=subscription.as_terms() if subscription is not None else None,
    )


@transaction.atomic
def offering_publish(
    *,
    principal: Principal,
    dataset_id: uuid.UUID,
    template_code: str,
    terms: Mapping[str, Any],
    license_seats: int | None,
    currency: str = "JPY",
    delivery_url: str = "",
    kind: str = Offering.Kind.LICENCE,
    period_days: int | None = None,
    term_periods: int | None = None,
    min_versions_per_period: int | None = None,
    stream: bool = False,
    min_messages_per_period: int | None = None,
) -> Offering:
    """Publish an offering: a licence, or with ``kind="subscription"`` a subscription of ``term_periods`` periods of
    ``period_days`` days, committing to ``min_versions_per_period`` new versions (default 1) and, on a live
    ``stream``, ``min_messages_per_period`` messages per period (``subscription_shape`` checks them)."""
    if not principal.is_seller:
        raise Forbidden("Only organisations with the seller role may offer data.")
    # Before the dataset's row lock is taken: the guard may wait on DNS.
    delivery_url = delivery_url_clean(delivery_url)
    dataset = _dataset_to_offer(dataset_id, seller_id=principal.organization_id)
    if license_seats is not None and not 1 <= license_seats <= MAX_SEATS:
        raise InvalidInput(
            f"license_seats is between 1 and {MAX_SEATS:,}, or null for unlimited.", errors={"license_seats": ["range"]}
        )
    subscription = subscription_shape(
        kind=kind,
        period_days=period_days,
        term_periods=term_periods,
        min_versions_per_period=min_versions_per_period,
        stream=stream,
        min_messages_per_period=min_messages_per_period,
    )
    template = template_get(template_code)
    resolved = offering_terms_resolve(
        template=template,
        terms=terms,
        license_seats=license_seats,
        data_class=dataset.data_class,
        subscription=subscription,
    )
    # Under the dataset's row lock, taken above: two publications on one dataset are judged one after the other.
    exclusivity_check(
        dataset_id=dataset.id,
        territory=resolved.terms["territory"],
        exclusive=is_exclusive(resolved.terms),
        organization_id=principal.organization_id,
    )
    offering = Offering.objects.create(
        dataset=dataset,
        seller_id=principal.organization_id,
        template_code=template.code,
        template_version=template.version,
        terms=resolved.terms,
        terms_sha256=resolved.sha256,
        mandatory_clauses=list(resolved.mandatory_clauses),
        license_seats=license_seats,
        currency=_check_currency(currency),
        accepted_at=timezone.now(),
        accepted_by_user_id=principal.user_id,
        accepted_by_api_key_id=principal.api_key_id,
        delivery_url=delivery_url,
        **_kind_fields(subscription),
    )
    _event(
        offering,
        to_status=offering.status,
        principal=principal,
        reason="published; the seller accepted its offer",
        payload={"terms_sha256": resolved.sha256},
    )
    return offering


def _kind_fields(subscription: SubscriptionShape | None) -> dict[str, Any]:
    if subscription is None:
        return {"kind": Offering.Kind.LICENCE}
    return {
        "kind": Offering.Kind.SUBSCRIPTION,
        "period_days": subscription.period_days,
        "term_periods": subscription.term_periods,
        "min_versions_per_period": subscription.min_versions_per_period,
        "stream": subscription.stream,
        "min_messages_per_period": subscription.min_messages_per_period,
    }


@dataclass(frozen=True)
class SellerAcceptance:
    """The seller's acceptance of a deal's terms: when, and by whom (a member or an API key) of the seller."""

    seller_id: uuid.UUID
    accepted_at: Any  # datetime
    user_id: int | None = None
    api_key_id: uuid.UUID | None = None


@transaction.atomic
def deal_offering_open(
    *,
    channel: str,
    dataset_id: uuid.UUID,
    acceptance: SellerAcceptance,
    template_code: str,
    template_version: int,
    terms: Mapping[str, Any],
    license_seats: int,
    currency: str,
    buyer_id: uuid.UUID | None = None,
) -> Offering:
    """Open the offering of a deal made off the book (``Offering.channel``): "private" when a private offer is
    accepted, for its ``buyer_id``; "auction" when an auction opens. A licence of ``license_seats`` seats on the
    seller's published dataset, its terms validated and hashed as any offering's (``terms`` as the seller wrote
    them), and judged for exclusivity under the dataset's row lock as a publication is: an exclusive auction then
    holds the dataset's exclusivity while it is open. No order reaches it; ``orders.deal_execute`` sells it."""
    if channel not in (Offering.Channel.PRIVATE, Offering.Channel.AUCTION):
        raise ValueError(f"not a deal's channel: {channel}")
    dataset = _dataset_to_offer(dataset_id, seller_id=acceptance.seller_id)
    template = template_get(template_code, template_version)
    resolved = terms_resolve(
        template=template, terms=terms, license_seats=license_seats, data_class=dataset.data_class, subscription=None
    )
    exclusivity_check(
        dataset_id=dataset.id,
        territory=resolved.terms["territory"],
        exclusive=is_exclusive(resolved.terms),
        organization_id=acceptance.seller_id,
    )
    offering = Offering.objects.create(
        dataset=dataset,
        seller_id=acceptance.seller_id,
        channel=channel,
        buyer_id=buyer_id if channel == Offering.Channel.PRIVATE else None,
        template_code=template.code,
        template_version=template.version,
        terms=resolved.terms,
        terms_sha256=resolved.sha256,
        mandatory_clauses=list(resolved.mandatory_clauses),
        license_seats=license_seats,
        currency=_check_currency(currency),
        accepted_at=acceptance.accepted_at,
        accepted_by_user_id=acceptance.user_id,
        accepted_by_api_key_id=acceptance.api_key_id,
        kind=Offering.Kind.LICENCE,
    )
    _event(
        offering,
        to_status=offering.status,
        principal=None,
        reason=f"opened for a {offering.get_channel_display().lower()}; the seller accepted its terms",
        payload={"terms_sha256": resolved.sha256, "channel": channel},
    )
    return offering


def deal_offering_close(*, offering_id: uuid.UUID, reason: str) -> Offering:
    """Withdraw a deal's offering (its trades made, or none to make): it no longer holds the dataset's exclusivity
    as an open offering; its contracts do, while in force. Idempotent. In the caller's transaction."""
    offering = Offering.objects.select_for_update().get(pk=offering_id)
    if offering.on_book:
        raise ValueError("an order-book offering is withdrawn by its seller (offering_withdraw)")
    if offering.status == Offering.Status.WITHDRAWN:
        return offering
    offering.status = Offering.Status.WITHDRAWN
    offering.withdrawn_at = timezone.now()
    offering.save(update_fields=["status", "withdrawn_at"])
    _event(offering, from_status=Offering.Status.ACTIVE, to_status=offering.status, principal=None, reason=reason)
    return offering


@transaction.atomic
def offering_withdraw(*, principal: Principal, offering_id: uuid.UUID, reason: str = "") -> Offering:
    """Take an offering off the market. Concluded contracts are never touched by it."""
    offering = Offering.objects.select_for_update().filter(pk=offering_id, seller_id=principal.organization_id).first()
    if offering is None:
        raise NotFound("No such offering.")
    if not offering.on_book:
        raise Conflict(
            "This offering belongs to a private offer or an auction and ends with it; it is not withdrawn on its own."
        )
    states.offering_check(offering.status, Offering.Status.WITHDRAWN)
    previous = offering.status
    offering.status = Offering.Status.WITHDRAWN
    offering.withdrawn_at = timezone.now()
    offering.save(update_fields=["status", "withdrawn_at"])
    cancelled = offering_cancel_resting_orders(offering=offering, reason="offering withdrawn by the seller")
    _event(
        offering,
        from_status=previous,
        to_status=offering.status,
        principal=principal,
        reason=reason or "withdrawn by the seller",
        payload={"orders_cancelled": cancelled},
    )
    return offering


def offering_take_down(*, offering_id: uuid.UUID, category: str, reason: str, actor: str) -> tuple[Offering, int]:
    """The market's operator takes an offering down (any channel: a deal's offering too): withdrawn, its resting
    orders cancelled through the book's own path, and ``taken_down_at`` set, which ``deal_execute`` refuses, so no
    deal trades it either. In the caller's transaction, which must hold the offering's row lock or take it here
    (lock order: offering, then its orders). Returns the offering and how many orders were cancelled; one already
    taken down is returned as it is (idempotent, its first reason kept). Concluded contracts are untouched: what
    the buyers hold is settlement's business."""
    category, reason = takedown_clean(category=category, reason=reason)
    offering = Offering.objects.select_for_update().get(pk=offering_id)
    if offering.taken_down_at is not None:
        return offering, 0
    previous = offering.status
    if previous != Offering.Status.WITHDRAWN:
        states.offering_check(previous, Offering.Status.WITHDRAWN)
        offering.status = Offering.Status.WITHDRAWN
        offering.withdrawn_at = timezone.now()
    offering.taken_down_at = timezone.now()
    offering.takedown_category, offering.takedown_reason = category, reason
    offering.save(update_fields=["status", "withdrawn_at", "taken_down_at", "takedown_category", "takedown_reason"])
    cancelled = offering_cancel_resting_orders(offering=offering, reason="offering taken down by the market's operator")
    _event(
        offering,
        from_status=previous,
        to_status=offering.status,
        principal=None,
        reason=f"taken down by the market's operator ({category})",
        payload={
            "orders_cancelled": cancelled,
            "takedown_category": category,
            "takedown_reason": reason,
            "actor": actor[:150],
        },
    )
    return offering, cancelled


def offering_set_delivery_url(*, principal: Principal, offering_id: uuid.UUID, delivery_url: str) -> Offering:
    """Move the seller's delivery endpoint ("" hands delivery back to the market). Applies to the entitlements
    granted from now on; each entitlement keeps the delivery and URL it was granted with (docs/delivery.md)."""
    delivery_url = delivery_url_clean(delivery_url)  # outside the transaction: the guard may wait on DNS
    with transaction.atomic():
        offering = (
            Offering.objects.select_for_update().filter(pk=offering_id, seller_id=principal.organization_id).first()
        )
        if offering is None:
            raise NotFound("No such offering.")
        previous = offering.delivery_url
        if delivery_url != previous:
            offering.delivery_url = delivery_url
            offering.save(update_fields=["delivery_url"])
            _event(
                offering,
                from_status=offering.status,
                to_status=offering.status,
                principal=principal,
                reason="delivery_url changed",
                payload={"delivery_url": delivery_url, "previous_delivery_url": previous},
            )
    return offering
