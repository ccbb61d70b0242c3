from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Me")


@_attrs_define
class Me:
    """
    Attributes:
        id (UUID):
        name (str):
        roles (list[str]):
        country (str):
        verified (bool):
        authenticated_by (str):
        scopes (list[str]): What this caller may do: the API key's scopes, or those of a signed-in member's role.
        invoice_registration_number (str): The organisation's qualified invoice issuer registration number
            (適格請求書発行事業者登録番号): "T" + 13 digits; empty when it is not a registered issuer.
    """

    id: UUID
    name: str
    roles: list[str]
    country: str
    verified: bool
    authenticated_by: str
    scopes: list[str]
    invoice_registration_number: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        roles = self.roles

        country = self.country

        verified = self.verified

        authenticated_by = self.authenticated_by

        scopes = self.scopes

        invoice_registration_number = self.invoice_registration_number

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "roles": roles,
                "country": country,
                "verified": verified,
                "authenticated_by": authenticated_by,
                "scopes": scopes,
                "invoice_registration_number": invoice_registration_number,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        roles = cast(list[str], d.pop("roles"))

        country = d.pop("country")

        verified = d.pop("verified")

        authenticated_by = d.pop("authenticated_by")

        scopes = cast(list[str], d.pop("scopes"))

        invoice_registration_number = d.pop("invoice_registration_number")

        me = cls(
            id=id,
            name=name,
            roles=roles,
            country=country,
            verified=verified,
            authenticated_by=authenticated_by,
            scopes=scopes,
            invoice_registration_number=invoice_registration_number,
        )

        me.additional_properties = d
        return me

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
