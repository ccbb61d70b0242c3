"""The quote of a purchase (``/offerings/{id}/quote``, docs/api.md#quotes): what buying seats of an offering costs
the caller, consumption tax included, before it places the order. The same figures as the web's review step
(``marketplace.selectors.purchase_quote``); nothing is reserved or written."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.permissions import scope
from config.api.principal import READ, Principal, principal_of
from config.api.serializers import Serializer, StrictSerializer
from config.errors import Conflict
from marketplace import selectors, tax
from marketplace.models import Offering
from marketplace.selectors import Quote
from marketplace.services.orders import MAX_PRICE, MAX_QUANTITY


class QuoteRequestSerializer(StrictSerializer):
    side = serializers.ChoiceField(choices=["buy"], help_text="Only buy: a quote is what a buyer pays.")
    price = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PRICE,
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "A limit bid's price per seat (per period for a subscription), minor units, tax excluded: the quote is "
            "then the most the bid costs. Omitted: buying now at the best ask resting on the book."
        ),
    )
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, help_text="Seats.")


class LicenceSerializer(Serializer):
    license_type = serializers.ChoiceField(choices=["non_exclusive", "exclusive"])
    duration_days = serializers.IntegerField()
    territory = serializers.ListField(child=serializers.CharField(), help_text="ISO 3166-1 alpha-2 codes.")
    seats = serializers.IntegerField(allow_null=True, help_text="The offering's licence seats in all; null: unlimited.")
    summary = serializers.CharField(help_text='One phrase, e.g. "non-exclusive, 365 days, JP, 10 seats".')


class QuoteSerializer(Serializer):
    offering = serializers.UUIDField()
    dataset = serializers.DictField(child=serializers.CharField(), help_text="id and title.")
    seller = serializers.DictField(child=serializers.CharField(), help_text="id and name.")
    licence = LicenceSerializer()
    kind = serializers.ChoiceField(choices=Offering.Kind.choices)
    per_period = serializers.BooleanField(help_text="A subscription: the price and the amounts are per period.")
    period_days = serializers.IntegerField(allow_null=True)
    term_periods = serializers.IntegerField(allow_null=True)
    quantity = serializers.IntegerField()
    price = serializers.IntegerField(help_text="Per seat, minor units, tax excluded.")
    price_source = serializers.ChoiceField(
        choices=["best_ask", "limit"], help_text="best_ask: buying now at the book's best ask; limit: the price sent."
    )
    at_most = serializers.BooleanField(
        help_text="The amounts are a bound: a limit order may trade lower, and seats not on offer are not bought."
    )
    best_ask = serializers.IntegerField(allow_null=True, help_text="The book's best ask now; null: none rests.")
    currency = serializers.CharField()
    amount_excl_tax = serializers.IntegerField(help_text="price x quantity, minor units.")
    tax_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        coerce_to_string=True,
        help_text='The rate applied, e.g. "0.1000"; 0 when exempt.',
    )
    tax_amount = serializers.IntegerField(help_text="The consumption tax, rounded down, minor units.")
    amount_incl_tax = serializers.IntegerField(help_text="What the buyer is charged (per period for a subscription).")
    tax_treatment = serializers.ChoiceField(
        choices=list(tax.TREATMENTS),
        help_text=(
            "standard: both parties in Japan, taxed; export: a buyer abroad, zero-rated; reverse_charge: a seller "
            "abroad, the buyer accounts for the tax; out_of_scope: neither party in Japan."
        ),
    )
    term_amount_incl_tax = serializers.IntegerField(
        allow_null=True, help_text="A subscription's total over its term if every period is charged; else null."
    )
    terms_sha256 = serializers.CharField(help_text="The terms an order accepts: send it as accepted_terms_sha256.")


def quote_data(quote: Quote, *, price_source: str, best_ask: int | None) -> dict[str, Any]:
    offering = quote.offering
    return {
        "offering": offering.id,
        "dataset": {"id": str(offering.dataset_id), "title": offering.dataset.title},
        "seller": {"id": str(offering.seller_id), "name": offering.seller.name},
        "licence": {
            **vars(quote.licence),
            "territory": list(quote.licence.territory),
            "summary": quote.licence.summary,
        },
        "kind": offering.kind,
        "per_period": quote.per_period,
        "period_days": quote.period_days,
        "term_periods": quote.term_periods,
        "quantity": quote.quantity,
        "price": quote.price,
        "price_source": price_source,
        "at_most": True,
        "best_ask": best_ask,
        "currency": quote.currency,
        "amount_excl_tax": quote.amount_excl_tax,
        "tax_rate": quote.tax_rate,
        "tax_amount": quote.tax_amount,
        "amount_incl_tax": quote.amount_incl_tax,
        "tax_treatment": quote.treatment,
        "term_amount_incl_tax": quote.term_amount_incl_tax,
        "terms_sha256": quote.terms_sha256,
    }


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


class OfferingQuote(GenericAPIView):
    serializer_class = QuoteSerializer

    @extend_schema(operation_id="offerings_quote", request=QuoteRequestSerializer, responses=QuoteSerializer)
    @scope(READ)
    def post(self, request: Request, offering_id: str) -> Response:
        serializer = QuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        principal = _principal(request)
        offering = selectors.offering_get(offering_id=offering_id, organization_id=principal.organization_id)
        if offering.status != Offering.Status.ACTIVE:
            raise Conflict("The offering has been withdrawn: it sells nothing.", errors={"offering": ["withdrawn"]})
        best = next(iter(selectors.book_depth(offering=offering, levels=1)["asks"]), None)
        best_ask = best.price if best else None
        price, source = data["price"], "limit"
        if price is None:
            if best_ask is None:
                raise Conflict(
                    "No ask rests on the book: name the price of a bid.", errors={"price": ["no ask to buy at"]}
                )
            price, source = best_ask, "best_ask"
        quote = selectors.purchase_quote(
            offering=offering, buyer_country=principal.country, price=price, quantity=data["quantity"]
        )
        return Response(QuoteSerializer(quote_data(quote, price_source=source, best_ask=best_ask)).data)
