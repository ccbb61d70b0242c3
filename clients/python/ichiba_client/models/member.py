from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.member_role_enum import MemberRoleEnum

T = TypeVar("T", bound="Member")


@_attrs_define
class Member:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            email (str):
            role (MemberRoleEnum): * `admin` - admin
                * `member` - member
            created_at (datetime.datetime): When the person joined the organisation.
    """

    email: str
    role: MemberRoleEnum
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        role = self.role.value

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "role": role,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        role = MemberRoleEnum(d.pop("role"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        member = cls(
            email=email,
            role=role,
            created_at=created_at,
        )

        member.additional_properties = d
        return member

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
