from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.offering_kind_enum import OfferingKindEnum
from ..models.price_source_enum import PriceSourceEnum
from ..models.tax_treatment_enum import TaxTreatmentEnum

if TYPE_CHECKING:
    from ..models.licence import Licence
    from ..models.quote_dataset import QuoteDataset
    from ..models.quote_seller import QuoteSeller


T = TypeVar("T", bound="Quote")


@_attrs_define
class Quote:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            offering (UUID):
            dataset (QuoteDataset): id and title.
            seller (QuoteSeller): id and name.
            licence (Licence): DRF's ``Serializer`` with the declared fields copied cheaply per instance (see
                ``_SHALLOW_COPIED``).

                Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
                it shares with the declaration (``field.validators.append`` would reach every instance).
            kind (OfferingKindEnum): * `licence` - Licence
                * `subscription` - Subscription
            per_period (bool): A subscription: the price and the amounts are per period.
            period_days (int | None):
            term_periods (int | None):
            quantity (int):
            price (int): Per seat, minor units, tax excluded.
            price_source (PriceSourceEnum): * `best_ask` - best_ask
                * `limit` - limit
            at_most (bool): The amounts are a bound: a limit order may trade lower, and seats not on offer are not bought.
            best_ask (int | None): The book's best ask now; null: none rests.
            currency (str):
            amount_excl_tax (int): price x quantity, minor units.
            tax_rate (str): The rate applied, e.g. "0.1000"; 0 when exempt.
            tax_amount (int): The consumption tax, rounded down, minor units.
            amount_incl_tax (int): What the buyer is charged (per period for a subscription).
            tax_treatment (TaxTreatmentEnum):
            term_amount_incl_tax (int | None): A subscription's total over its term if every period is charged; else null.
            terms_sha256 (str): The terms an order accepts: send it as accepted_terms_sha256.
    """

    offering: UUID
    dataset: QuoteDataset
    seller: QuoteSeller
    licence: Licence
    kind: OfferingKindEnum
    per_period: bool
    period_days: int | None
    term_periods: int | None
    quantity: int
    price: int
    price_source: PriceSourceEnum
    at_most: bool
    best_ask: int | None
    currency: str
    amount_excl_tax: int
    tax_rate: str
    tax_amount: int
    amount_incl_tax: int
    tax_treatment: TaxTreatmentEnum
    term_amount_incl_tax: int | None
    terms_sha256: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        offering = str(self.offering)

        dataset = self.dataset.to_dict()

        seller = self.seller.to_dict()

        licence = self.licence.to_dict()

        kind = self.kind.value

        per_period = self.per_period

        period_days: int | None
        period_days = self.period_days

        term_periods: int | None
        term_periods = self.term_periods

        quantity = self.quantity

        price = self.price

        price_source = self.price_source.value

        at_most = self.at_most

        best_ask: int | None
        best_ask = self.best_ask

        currency = self.currency

        amount_excl_tax = self.amount_excl_tax

        tax_rate = self.tax_rate

        tax_amount = self.tax_amount

        amount_incl_tax = self.amount_incl_tax

        tax_treatment = self.tax_treatment.value

        term_amount_incl_tax: int | None
        term_amount_incl_tax = self.term_amount_incl_tax

        terms_sha256 = self.terms_sha256

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "offering": offering,
                "dataset": dataset,
                "seller": seller,
                "licence": licence,
                "kind": kind,
                "per_period": per_period,
                "period_days": period_days,
                "term_periods": term_periods,
                "quantity": quantity,
                "price": price,
                "price_source": price_source,
                "at_most": at_most,
                "best_ask": best_ask,
                "currency": currency,
                "amount_excl_tax": amount_excl_tax,
                "tax_rate": tax_rate,
                "tax_amount": tax_amount,
                "amount_incl_tax": amount_incl_tax,
                "tax_treatment": tax_treatment,
                "term_amount_incl_tax": term_amount_incl_tax,
                "terms_sha256": terms_sha256,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.licence import Licence  # noqa: PLC0415
        from ..models.quote_dataset import QuoteDataset  # noqa: PLC0415
        from ..models.quote_seller import QuoteSeller  # noqa: PLC0415

        d = dict(src_dict)
        offering = UUID(d.pop("offering"))

        dataset = QuoteDataset.from_dict(d.pop("dataset"))

        seller = QuoteSeller.from_dict(d.pop("seller"))

        licence = Licence.from_dict(d.pop("licence"))

        kind = OfferingKindEnum(d.pop("kind"))

        per_period = d.pop("per_period")

        def _parse_period_days(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        period_days = _parse_period_days(d.pop("period_days"))

        def _parse_term_periods(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        term_periods = _parse_term_periods(d.pop("term_periods"))

        quantity = d.pop("quantity")

        price = d.pop("price")

        price_source = PriceSourceEnum(d.pop("price_source"))

        at_most = d.pop("at_most")

        def _parse_best_ask(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        best_ask = _parse_best_ask(d.pop("best_ask"))

        currency = d.pop("currency")

        amount_excl_tax = d.pop("amount_excl_tax")

        tax_rate = d.pop("tax_rate")

        tax_amount = d.pop("tax_amount")

        amount_incl_tax = d.pop("amount_incl_tax")

        tax_treatment = TaxTreatmentEnum(d.pop("tax_treatment"))

        def _parse_term_amount_incl_tax(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        term_amount_incl_tax = _parse_term_amount_incl_tax(d.pop("term_amount_incl_tax"))

        terms_sha256 = d.pop("terms_sha256")

        quote = cls(
            offering=offering,
            dataset=dataset,
            seller=seller,
            licence=licence,
            kind=kind,
            per_period=per_period,
            period_days=period_days,
            term_periods=term_periods,
            quantity=quantity,
            price=price,
            price_source=price_source,
            at_most=at_most,
            best_ask=best_ask,
            currency=currency,
            amount_excl_tax=amount_excl_tax,
            tax_rate=tax_rate,
            tax_amount=tax_amount,
            amount_incl_tax=amount_incl_tax,
            tax_treatment=tax_treatment,
            term_amount_incl_tax=term_amount_incl_tax,
            terms_sha256=terms_sha256,
        )

        quote.additional_properties = d
        return quote

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
