from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.private_offer_counter_request_terms_type_0 import PrivateOfferCounterRequestTermsType0


T = TypeVar("T", bound="PrivateOfferCounterRequest")


@_attrs_define
class PrivateOfferCounterRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        terms (None | PrivateOfferCounterRequestTermsType0 | Unset): Only the terms that change, merged onto the latest
            revision's (derived_data and warranties key by key).
        price (int | None | Unset): Per seat.
        quantity (int | None | Unset): Seats.
        expires_at (datetime.datetime | None | Unset): Optional: a new expiry for the offer.
        note (str | Unset):  Default: ''.
    """

    terms: None | PrivateOfferCounterRequestTermsType0 | Unset = UNSET
    price: int | None | Unset = UNSET
    quantity: int | None | Unset = UNSET
    expires_at: datetime.datetime | None | Unset = UNSET
    note: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        from ..models.private_offer_counter_request_terms_type_0 import (
            PrivateOfferCounterRequestTermsType0,  # noqa: PLC0415
        )

        terms: dict[str, Any] | None | Unset
        if isinstance(self.terms, Unset):
            terms = UNSET
        elif isinstance(self.terms, PrivateOfferCounterRequestTermsType0):
            terms = self.terms.to_dict()
        else:
            terms = self.terms

        price: int | None | Unset
        if isinstance(self.price, Unset):
            price = UNSET
        else:
            price = self.price

        quantity: int | None | Unset
        if isinstance(self.quantity, Unset):
            quantity = UNSET
        else:
            quantity = self.quantity

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if terms is not UNSET:
            field_dict["terms"] = terms
        if price is not UNSET:
            field_dict["price"] = price
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.private_offer_counter_request_terms_type_0 import (
            PrivateOfferCounterRequestTermsType0,  # noqa: PLC0415
        )

        d = dict(src_dict)

        def _parse_terms(data: object) -> None | PrivateOfferCounterRequestTermsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                terms_type_0 = PrivateOfferCounterRequestTermsType0.from_dict(data)

                return terms_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PrivateOfferCounterRequestTermsType0 | Unset, data)

        terms = _parse_terms(d.pop("terms", UNSET))

        def _parse_price(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        price = _parse_price(d.pop("price", UNSET))

        def _parse_quantity(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        quantity = _parse_quantity(d.pop("quantity", UNSET))

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        note = d.pop("note", UNSET)

        private_offer_counter_request = cls(
            terms=terms,
            price=price,
            quantity=quantity,
            expires_at=expires_at,
            note=note,
        )

        return private_offer_counter_request
