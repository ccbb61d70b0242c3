"""Private offer endpoints (docs/api.md#private-offers): a seller makes one, either party counters the other's latest
revision, the party whose turn it is accepts it (201: the contract and its settlement) or either declines; only the
two parties ever see one (404 to anyone else)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from config.api.pagination import query_choice
from config.api.permissions import scope, scope_check
from config.api.principal import SELL, TRADE, Principal, principal_of
from config.api.serializers import Serializer, StrictSerializer
from config.text import displayable_line, displayable_text
from deals import selectors
from deals.models import PrivateOffer, PrivateOfferRevision
from deals.services.private_offers import (
    MAX_VALIDITY,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    buyer_hidden,
    effective_status,
    private_offer_accept,
    private_offer_counter,
    private_offer_create,
    private_offer_decline,
)
from marketplace.hooks import settlements_of_trades
from marketplace.services.orders import MAX_PRICE, MAX_QUANTITY

TERMS_HELP = (
    "Validated against the template's terms_schema, as an offering's are (docs/api.md#offerings); defaults fill gaps. "
    "The clauses anonymised data makes mandatory are always added and covered by terms_sha256."
)


class PrivateOfferCreateSerializer(StrictSerializer):
    dataset = serializers.UUIDField(help_text="Your published dataset.")
    template = serializers.CharField(
        max_length=64,
        required=False,
        default="meti-data-provision",
        help_text="Template code (its current version).",
        validators=[displayable_line],
    )
    terms = serializers.DictField(required=False, default=dict, help_text=TERMS_HELP)
    price = serializers.IntegerField(min_value=1, max_value=MAX_PRICE, help_text="Per seat, in minor units.")
    quantity = serializers.IntegerField(
        min_value=1, max_value=MAX_QUANTITY, required=False, default=1, help_text="Seats (1 for an exclusive licence)."
    )
    currency = serializers.CharField(
        min_length=3, max_length=3, required=False, default="JPY", validators=[displayable_line]
    )
    expires_at = serializers.DateTimeField(
        help_text=f"When the offer lapses unless accepted: in the future, at most {MAX_VALIDITY.days} days ahead."
    )
    buyer = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="The buyer's organisation id (or data_request)."
    )
    data_request = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="An open data request this offer answers: its author is the buyer (or name buyer).",
    )
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        default="",
        allow_blank=True,
        validators=[displayable_text],
        help_text="A message to the other party, shown with the revision; not part of the contract.",
    )


class PrivateOfferCounterSerializer(StrictSerializer):
    terms = serializers.DictField(
        required=False,
        default=None,
        allow_null=True,
        help_text="Only the terms that change, merged onto the latest revision's (derived_data and warranties key "
        "by key).",
    )
    price = serializers.IntegerField(
        min_value=1, max_value=MAX_PRICE, required=False, default=None, allow_null=True, help_text="Per seat."
    )
    quantity = serializers.IntegerField(
        min_value=1, max_value=MAX_QUANTITY, required=False, default=None, allow_null=True, help_text="Seats."
    )
    expires_at = serializers.DateTimeField(
        required=False, default=None, allow_null=True, help_text="Optional: a new expiry for the offer."
    )
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, default="", allow_blank=True, validators=[displayable_text]
    )


class PrivateOfferAcceptSerializer(StrictSerializer):
    accepted_terms_sha256 = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        help_text="The latest revision's terms_sha256: you accept exactly those terms.",
        validators=[displayable_line],
    )
    revision = serializers.IntegerField(
        min_value=1,
        required=False,
        default=None,
        allow_null=True,
        help_text="The latest revision's number (recommended): the terms hash does not cover price and quantity, so "
        "naming the revision refuses, with 409, an acceptance of a price countered since you read it.",
    )


class PrivateOfferDeclineSerializer(StrictSerializer):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, required=False, default="", allow_blank=True, validators=[displayable_line]
    )


class PartySerializer(Serializer):
    id = serializers.UUIDField(allow_null=True, help_text="null: the buyer of an anonymous data request.")
    name = serializers.CharField(allow_null=True)


class RevisionSerializer(Serializer):
    number = serializers.IntegerField(read_only=True)
    author = serializers.ChoiceField(
        choices=["seller", "buyer"], read_only=True, help_text="The party that wrote this revision."
    )
    terms = serializers.DictField(read_only=True)
    terms_sha256 = serializers.CharField(read_only=True)
    mandatory_clauses = serializers.ListField(child=serializers.CharField(), read_only=True)
    price = serializers.IntegerField(read_only=True, help_text="Per seat, minor units.")
    quantity = serializers.IntegerField(read_only=True, help_text="Seats.")
    amount = serializers.SerializerMethodField(help_text="price x quantity.")
    note = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_amount(self, revision: PrivateOfferRevision) -> int:
        return revision.price * revision.quantity


class PrivateOfferSerializer(Serializer):
    id = serializers.UUIDField(read_only=True)
    status = serializers.SerializerMethodField(
        help_text="open, accepted, declined or expired (as soon as expires_at has passed)."
    )
    revision = serializers.IntegerField(read_only=True, help_text="The latest revision's number.")
    turn = serializers.SerializerMethodField(
        help_text="While open: seller or buyer, the party that may accept the latest revision (the one that did not "
        "write it); null once the offer is closed."
    )
    terms_sha256 = serializers.SerializerMethodField(help_text="The latest revision's: what an acceptance names.")
    dataset = serializers.UUIDField(source="dataset_id", read_only=True)
    template = serializers.SerializerMethodField()
    seller = serializers.SerializerMethodField()
    buyer = serializers.SerializerMethodField(
        help_text="Hidden from the seller (id and name null) when the offer answers an anonymous data request, "
        "until it is accepted."
    )
    data_request = serializers.UUIDField(source="data_request_id", read_only=True, allow_null=True)
    proposed_by = serializers.ChoiceField(
        choices=["seller", "buyer"],
        read_only=True,
        help_text="Who wrote revision 1: the seller (an offer) or the buyer (a proposal; the seller answers first).",
    )
    proposed_via = serializers.ChoiceField(
        choices=PrivateOffer.Via.choices,
        read_only=True,
        help_text="market (the web or this API) or dsp (a connector's counter-offer over the Dataspace Protocol).",
    )
    price = serializers.SerializerMethodField(help_text="The latest revision's, per seat.")
    quantity = serializers.SerializerMethodField(help_text="The latest revision's seats.")
    currency = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    declined_by = serializers.CharField(read_only=True, help_text="seller or buyer, when declined.")
    revisions = serializers.SerializerMethodField()
    offering = serializers.UUIDField(source="offering_id", read_only=True, allow_null=True)
    trade = serializers.UUIDField(source="trade_id", read_only=True, allow_null=True)
    contract = serializers.SerializerMethodField(help_text="Once accepted: the concluded contract.")
    settlement = serializers.SerializerMethodField(help_text="Once accepted: the contract's settlement (payment).")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def _revisions(self, offer: PrivateOffer) -> list[PrivateOfferRevision]:
        return sorted(offer.revisions.all(), key=lambda revision: revision.number)

    def _latest(self, offer: PrivateOffer) -> PrivateOfferRevision:
        return self._revisions(offer)[-1]

    @extend_schema_field(serializers.ChoiceField(choices=PrivateOffer.Status.choices))
    def get_status(self, offer: PrivateOffer) -> str:
        return effective_status(offer)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_turn(self, offer: PrivateOffer) -> str | None:
        if effective_status(offer) != PrivateOffer.Status.OPEN:
            return None
        return "buyer" if self._latest(offer).author == "seller" else "seller"

    def get_terms_sha256(self, offer: PrivateOffer) -> str:
        return self._latest(offer).terms_sha256

    def get_template(self, offer: PrivateOffer) -> str:
        return f"{offer.template_code}@{offer.template_version}"

    @extend_schema_field(PartySerializer)
    def get_seller(self, offer: PrivateOffer) -> dict[str, Any]:
        return {"id": str(offer.seller_id), "name": offer.seller.name}

    @extend_schema_field(PartySerializer)
    def get_buyer(self, offer: PrivateOffer) -> dict[str, Any]:
        if buyer_hidden(offer, self.context.get("viewer")):
            return {"id": None, "name": None}
        return {"id": str(offer.buyer_id), "name": offer.buyer.name}

    def get_price(self, offer: PrivateOffer) -> int:
        return self._latest(offer).price

    def get_quantity(self, offer: PrivateOffer) -> int:
        return self._latest(offer).quantity

    @extend_schema_field(RevisionSerializer(many=True))
    def get_revisions(self, offer: PrivateOffer) -> Any:
        return RevisionSerializer(self._revisions(offer), many=True).data

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_contract(self, offer: PrivateOffer) -> str | None:
        return str(offer.trade.contract_id) if offer.trade is not None and offer.trade.contract_id else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_settlement(self, offer: PrivateOffer) -> str | None:
        found = self.context.get("settlements", {}).get(offer.trade_id)
        return str(found) if found else None


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


def _context(
    offers: Iterable[PrivateOffer], *, viewer: uuid.UUID, written: Sequence[models.Model] = ()
) -> dict[str, Any]:
    trades = [offer.trade_id for offer in offers if offer.trade_id is not None]
    return {"viewer": viewer, "settlements": settlements_of_trades(trades, written=written)}


def _render(offer_id: uuid.UUID, principal: Principal, *, written: Sequence[models.Model] = ()) -> dict[str, Any]:
    offer = selectors.private_offer_get(private_offer_id=offer_id, organization_id=principal.organization_id)
    context = _context([offer], viewer=principal.organization_id, written=written)
    return PrivateOfferSerializer(offer, context=context).data


def _check_side_scope(principal: Principal, private_offer_id: str) -> None:
    """Either party acts on an offer: its seller with the ``sell`` scope, its buyer with ``trade``
    (docs/api.md#api-keys-and-scopes). Someone else's offer is the service's 404."""
    offer = selectors.private_offer_get(private_offer_id=private_offer_id, organization_id=principal.organization_id)
    scope_check(principal, SELL if offer.seller_id == principal.organization_id else TRADE)


class PrivateOfferListCreate(GenericAPIView):
    serializer_class = PrivateOfferSerializer

    @extend_schema(
        operation_id="private_offers_list",
        parameters=[
            OpenApiParameter("status", str, enum=list(PrivateOffer.Status.values)),
            OpenApiParameter(
                "role", str, enum=list(selectors.PRIVATE_OFFER_ROLES), description="Only those you made, or received."
            ),
            OpenApiParameter(
                "data_request", uuid.UUID, description="Only the offers answering this data request (its answers)."
            ),
        ],
        responses=PrivateOfferSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        wanted = query_choice(request, "status", PrivateOffer.Status.values)
        role = request.query_params.get("role", "")
        if role and role not in selectors.PRIVATE_OFFER_ROLES:
            raise ValidationError({"role": ["seller or buyer."]})
        answering = request.query_params.get("data_request", "")
        try:
            data_request_id = uuid.UUID(answering) if answering else None
        except ValueError as exc:
            raise ValidationError({"data_request": ["Must be a data request's id (a UUID)."]}) from exc
        principal = _principal(request)
        offers = selectors.private_offers_for(
            organization_id=principal.organization_id, role=role, status=wanted, data_request_id=data_request_id
        )
        page = self.paginate_queryset(offers) or []
        context = _context(page, viewer=principal.organization_id)
        return self.get_paginated_response(PrivateOfferSerializer(page, many=True, context=context).data)

    @extend_schema(
        operation_id="private_offers_create",
        request=PrivateOfferCreateSerializer,
        responses={201: PrivateOfferSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(SELL)
    def post(self, request: Request) -> Response:
        serializer = PrivateOfferCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        principal = _principal(request)
        offer = private_offer_create(
            principal=principal,
            dataset_id=data["dataset"],
            template_code=data["template"],
            terms=data["terms"],
            price=data["price"],
            quantity=data["quantity"],
            currency=data["currency"],
            expires_at=data["expires_at"],
            buyer_id=data["buyer"],
            data_request_id=data["data_request"],
            note=data["note"],
        )
        return Response(_render(offer.id, principal), status=status.HTTP_201_CREATED)


class PrivateOfferDetail(GenericAPIView):
    serializer_class = PrivateOfferSerializer

    @extend_schema(operation_id="private_offers_retrieve", responses=PrivateOfferSerializer)
    def get(self, request: Request, private_offer_id: str) -> Response:
        return Response(_render(private_offer_id, _principal(request)))  # type: ignore[arg-type]


class PrivateOfferCounter(GenericAPIView):
    """A counter-offer on the other party's latest revision: a new revision, with its own terms_sha256."""

    serializer_class = PrivateOfferSerializer

    @extend_schema(
        operation_id="private_offers_counter",
        request=PrivateOfferCounterSerializer,
        responses=PrivateOfferSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(TRADE, SELL)
    def post(self, request: Request, private_offer_id: str) -> Response:
        serializer = PrivateOfferCounterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        principal = _principal(request)
        _check_side_scope(principal, private_offer_id)
        offer = private_offer_counter(
            principal=principal,
            private_offer_id=private_offer_id,
            terms=data["terms"],
            price=data["price"],
            quantity=data["quantity"],
            expires_at=data["expires_at"],
            note=data["note"],
        )
        return Response(_render(offer.id, principal))


class PrivateOfferAccept(GenericAPIView):
    """The party that did not write the latest revision accepts it: 201 with the concluded contract and its
    settlement, exactly as a trade (payment, entitlement, delivery, ledger, fee)."""

    serializer_class = PrivateOfferSerializer

    @extend_schema(
        operation_id="private_offers_accept",
        request=PrivateOfferAcceptSerializer,
        responses={201: PrivateOfferSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(TRADE, SELL)
    def post(self, request: Request, private_offer_id: str) -> Response:
        serializer = PrivateOfferAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        principal = _principal(request)
        _check_side_scope(principal, private_offer_id)
        accepted = private_offer_accept(
            principal=principal,
            private_offer_id=private_offer_id,
            accepted_terms_sha256=serializer.validated_data["accepted_terms_sha256"],
            revision=serializer.validated_data["revision"],
        )
        body = _render(accepted.private_offer.id, principal, written=accepted.subscriber_rows)
        return Response(body, status=status.HTTP_201_CREATED)


class PrivateOfferDecline(GenericAPIView):
    """Either party ends the open offer without a deal."""

    serializer_class = PrivateOfferSerializer

    @extend_schema(
        operation_id="private_offers_decline",
        request=PrivateOfferDeclineSerializer,
        responses=PrivateOfferSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(TRADE, SELL)
    def post(self, request: Request, private_offer_id: str) -> Response:
        serializer = PrivateOfferDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        principal = _principal(request)
        _check_side_scope(principal, private_offer_id)
        offer = private_offer_decline(
            principal=principal, private_offer_id=private_offer_id, reason=serializer.validated_data["reason"]
        )
        return Response(_render(offer.id, principal))
