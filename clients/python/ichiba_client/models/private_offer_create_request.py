from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.private_offer_create_request_terms import PrivateOfferCreateRequestTerms


T = TypeVar("T", bound="PrivateOfferCreateRequest")


@_attrs_define
class PrivateOfferCreateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        dataset (UUID): Your published dataset.
        price (int): Per seat, in minor units.
        expires_at (datetime.datetime): When the offer lapses unless accepted: in the future, at most 90 days ahead.
        template (str | Unset): Template code (its current version). Default: 'meti-data-provision'.
        terms (PrivateOfferCreateRequestTerms | Unset): Validated against the template's terms_schema, as an offering's
            are (docs/api.md#offerings); defaults fill gaps. The clauses anonymised data makes mandatory are always added
            and covered by terms_sha256.
        quantity (int | Unset): Seats (1 for an exclusive licence). Default: 1.
        currency (str | Unset):  Default: 'JPY'.
        buyer (None | Unset | UUID): The buyer's organisation id (or data_request).
        data_request (None | Unset | UUID): An open data request this offer answers: its author is the buyer (or name
            buyer).
        note (str | Unset): A message to the other party, shown with the revision; not part of the contract. Default:
            ''.
    """

    dataset: UUID
    price: int
    expires_at: datetime.datetime
    template: str | Unset = "meti-data-provision"
    terms: PrivateOfferCreateRequestTerms | Unset = UNSET
    quantity: int | Unset = 1
    currency: str | Unset = "JPY"
    buyer: None | Unset | UUID = UNSET
    data_request: None | Unset | UUID = UNSET
    note: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        dataset = str(self.dataset)

        price = self.price

        expires_at = self.expires_at.isoformat()

        template = self.template

        terms: dict[str, Any] | Unset = UNSET
        if not isinstance(self.terms, Unset):
            terms = self.terms.to_dict()

        quantity = self.quantity

        currency = self.currency

        buyer: None | str | Unset
        if isinstance(self.buyer, Unset):
            buyer = UNSET
        elif isinstance(self.buyer, UUID):
            buyer = str(self.buyer)
        else:
            buyer = self.buyer

        data_request: None | str | Unset
        if isinstance(self.data_request, Unset):
            data_request = UNSET
        elif isinstance(self.data_request, UUID):
            data_request = str(self.data_request)
        else:
            data_request = self.data_request

        note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dataset": dataset,
                "price": price,
                "expires_at": expires_at,
            }
        )
        if template is not UNSET:
            field_dict["template"] = template
        if terms is not UNSET:
            field_dict["terms"] = terms
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if currency is not UNSET:
            field_dict["currency"] = currency
        if buyer is not UNSET:
            field_dict["buyer"] = buyer
        if data_request is not UNSET:
            field_dict["data_request"] = data_request
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.private_offer_create_request_terms import PrivateOfferCreateRequestTerms  # noqa: PLC0415

        d = dict(src_dict)
        dataset = UUID(d.pop("dataset"))

        price = d.pop("price")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        template = d.pop("template", UNSET)

        _terms = d.pop("terms", UNSET)
        terms: PrivateOfferCreateRequestTerms | Unset
        if isinstance(_terms, Unset):
            terms = UNSET
        else:
            terms = PrivateOfferCreateRequestTerms.from_dict(_terms)

        quantity = d.pop("quantity", UNSET)

        currency = d.pop("currency", UNSET)

        def _parse_buyer(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                buyer_type_0 = UUID(data)

                return buyer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        buyer = _parse_buyer(d.pop("buyer", UNSET))

        def _parse_data_request(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                data_request_type_0 = UUID(data)

                return data_request_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        data_request = _parse_data_request(d.pop("data_request", UNSET))

        note = d.pop("note", UNSET)

        private_offer_create_request = cls(
            dataset=dataset,
            price=price,
            expires_at=expires_at,
            template=template,
            terms=terms,
            quantity=quantity,
            currency=currency,
            buyer=buyer,
            data_request=data_request,
            note=note,
        )

        return private_offer_create_request
