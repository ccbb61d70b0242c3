from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.auction_create_request_terms import AuctionCreateRequestTerms


T = TypeVar("T", bound="AuctionCreateRequest")


@_attrs_define
class AuctionCreateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        dataset (UUID): Your published dataset.
        terms (AuctionCreateRequestTerms): Validated against the template's terms_schema as an offering's; typically
            {"license_type": "exclusive"}. Licences only: no subscription.
        reserve_price (int): Per seat, minor units: no seat sells below it.
        closes_at (datetime.datetime): In the future, at most 90 days ahead.
        template (str | Unset): Contract template code (its current version). Default: 'meti-data-provision'.
        seats (int | Unset): Seats sold; exactly 1 if exclusive. Default: 1.
        currency (str | Unset):  Default: 'JPY'.
    """

    dataset: UUID
    terms: AuctionCreateRequestTerms
    reserve_price: int
    closes_at: datetime.datetime
    template: str | Unset = "meti-data-provision"
    seats: int | Unset = 1
    currency: str | Unset = "JPY"

    def to_dict(self) -> dict[str, Any]:
        dataset = str(self.dataset)

        terms = self.terms.to_dict()

        reserve_price = self.reserve_price

        closes_at = self.closes_at.isoformat()

        template = self.template

        seats = self.seats

        currency = self.currency

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dataset": dataset,
                "terms": terms,
                "reserve_price": reserve_price,
                "closes_at": closes_at,
            }
        )
        if template is not UNSET:
            field_dict["template"] = template
        if seats is not UNSET:
            field_dict["seats"] = seats
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.auction_create_request_terms import AuctionCreateRequestTerms  # noqa: PLC0415

        d = dict(src_dict)
        dataset = UUID(d.pop("dataset"))

        terms = AuctionCreateRequestTerms.from_dict(d.pop("terms"))

        reserve_price = d.pop("reserve_price")

        closes_at = datetime.datetime.fromisoformat(d.pop("closes_at"))

        template = d.pop("template", UNSET)

        seats = d.pop("seats", UNSET)

        currency = d.pop("currency", UNSET)

        auction_create_request = cls(
            dataset=dataset,
            terms=terms,
            reserve_price=reserve_price,
            closes_at=closes_at,
            template=template,
            seats=seats,
            currency=currency,
        )

        return auction_create_request
