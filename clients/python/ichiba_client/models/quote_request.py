from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.quote_request_side_enum import QuoteRequestSideEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="QuoteRequest")


@_attrs_define
class QuoteRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        side (QuoteRequestSideEnum): * `buy` - buy
        quantity (int): Seats.
        price (int | None | Unset): A limit bid's price per seat (per period for a subscription), minor units, tax
            excluded: the quote is then the most the bid costs. Omitted: buying now at the best ask resting on the book.
    """

    side: QuoteRequestSideEnum
    quantity: int
    price: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        side = self.side.value

        quantity = self.quantity

        price: int | None | Unset
        if isinstance(self.price, Unset):
            price = UNSET
        else:
            price = self.price

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "side": side,
                "quantity": quantity,
            }
        )
        if price is not UNSET:
            field_dict["price"] = price

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        side = QuoteRequestSideEnum(d.pop("side"))

        quantity = d.pop("quantity")

        def _parse_price(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        price = _parse_price(d.pop("price", UNSET))

        quote_request = cls(
            side=side,
            quantity=quantity,
            price=price,
        )

        return quote_request
