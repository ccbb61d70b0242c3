from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.author_enum import AuthorEnum

T = TypeVar("T", bound="NegotiationRevision")


@_attrs_define
class NegotiationRevision:
    """
    Attributes:
        revision (int):
        author (AuthorEnum): * `seller` - seller
            * `buyer` - buyer
        terms_sha256 (str):
        price (int):
        quantity (int):
        created_at (datetime.datetime):
    """

    revision: int
    author: AuthorEnum
    terms_sha256: str
    price: int
    quantity: int
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        revision = self.revision

        author = self.author.value

        terms_sha256 = self.terms_sha256

        price = self.price

        quantity = self.quantity

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "revision": revision,
                "author": author,
                "terms_sha256": terms_sha256,
                "price": price,
                "quantity": quantity,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        revision = d.pop("revision")

        author = AuthorEnum(d.pop("author"))

        terms_sha256 = d.pop("terms_sha256")

        price = d.pop("price")

        quantity = d.pop("quantity")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        negotiation_revision = cls(
            revision=revision,
            author=author,
            terms_sha256=terms_sha256,
            price=price,
            quantity=quantity,
            created_at=created_at,
        )

        negotiation_revision.additional_properties = d
        return negotiation_revision

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
