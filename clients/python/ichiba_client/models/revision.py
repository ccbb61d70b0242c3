from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.author_enum import AuthorEnum

if TYPE_CHECKING:
    from ..models.revision_terms import RevisionTerms


T = TypeVar("T", bound="Revision")


@_attrs_define
class Revision:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            number (int):
            author (AuthorEnum): * `seller` - seller
                * `buyer` - buyer
            terms (RevisionTerms):
            terms_sha256 (str):
            mandatory_clauses (list[str]):
            price (int): Per seat, minor units.
            quantity (int): Seats.
            amount (int): price x quantity.
            note (str):
            created_at (datetime.datetime):
    """

    number: int
    author: AuthorEnum
    terms: RevisionTerms
    terms_sha256: str
    mandatory_clauses: list[str]
    price: int
    quantity: int
    amount: int
    note: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        author = self.author.value

        terms = self.terms.to_dict()

        terms_sha256 = self.terms_sha256

        mandatory_clauses = self.mandatory_clauses

        price = self.price

        quantity = self.quantity

        amount = self.amount

        note = self.note

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "author": author,
                "terms": terms,
                "terms_sha256": terms_sha256,
                "mandatory_clauses": mandatory_clauses,
                "price": price,
                "quantity": quantity,
                "amount": amount,
                "note": note,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.revision_terms import RevisionTerms  # noqa: PLC0415

        d = dict(src_dict)
        number = d.pop("number")

        author = AuthorEnum(d.pop("author"))

        terms = RevisionTerms.from_dict(d.pop("terms"))

        terms_sha256 = d.pop("terms_sha256")

        mandatory_clauses = cast(list[str], d.pop("mandatory_clauses"))

        price = d.pop("price")

        quantity = d.pop("quantity")

        amount = d.pop("amount")

        note = d.pop("note")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        revision = cls(
            number=number,
            author=author,
            terms=terms,
            terms_sha256=terms_sha256,
            mandatory_clauses=mandatory_clauses,
            price=price,
            quantity=quantity,
            amount=amount,
            note=note,
            created_at=created_at,
        )

        revision.additional_properties = d
        return revision

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
