from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.private_offer_status_enum import PrivateOfferStatusEnum

if TYPE_CHECKING:
    from ..models.party_name import PartyName


T = TypeVar("T", bound="DataRequestAnswer")


@_attrs_define
class DataRequestAnswer:
    """A private offer that names the request, as its latest revision stands.

    Attributes:
        id (UUID):
        status (PrivateOfferStatusEnum): * `open` - Open
            * `accepted` - Accepted
            * `declined` - Declined
            * `expired` - Expired
        seller (PartyName): An organisation by its name only.
        price (int): Per seat, minor units.
        quantity (int): Seats.
        currency (str):
        created_at (datetime.datetime):
    """

    id: UUID
    status: PrivateOfferStatusEnum
    seller: PartyName
    price: int
    quantity: int
    currency: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        status = self.status.value

        seller = self.seller.to_dict()

        price = self.price

        quantity = self.quantity

        currency = self.currency

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "seller": seller,
                "price": price,
                "quantity": quantity,
                "currency": currency,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.party_name import PartyName  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        status = PrivateOfferStatusEnum(d.pop("status"))

        seller = PartyName.from_dict(d.pop("seller"))

        price = d.pop("price")

        quantity = d.pop("quantity")

        currency = d.pop("currency")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        data_request_answer = cls(
            id=id,
            status=status,
            seller=seller,
            price=price,
            quantity=quantity,
            currency=currency,
            created_at=created_at,
        )

        data_request_answer.additional_properties = d
        return data_request_answer

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
