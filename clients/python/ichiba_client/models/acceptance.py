from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.acceptance_role_enum import AcceptanceRoleEnum

T = TypeVar("T", bound="Acceptance")


@_attrs_define
class Acceptance:
    """
    Attributes:
        role (AcceptanceRoleEnum): * `seller` - Seller
            * `buyer` - Buyer
        organization_id (UUID):
        terms_sha256 (str):
        appi_notice_accepted (bool):
        accepted_at (datetime.datetime):
    """

    role: AcceptanceRoleEnum
    organization_id: UUID
    terms_sha256: str
    appi_notice_accepted: bool
    accepted_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        role = self.role.value

        organization_id = str(self.organization_id)

        terms_sha256 = self.terms_sha256

        appi_notice_accepted = self.appi_notice_accepted

        accepted_at = self.accepted_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "role": role,
                "organization_id": organization_id,
                "terms_sha256": terms_sha256,
                "appi_notice_accepted": appi_notice_accepted,
                "accepted_at": accepted_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        role = AcceptanceRoleEnum(d.pop("role"))

        organization_id = UUID(d.pop("organization_id"))

        terms_sha256 = d.pop("terms_sha256")

        appi_notice_accepted = d.pop("appi_notice_accepted")

        accepted_at = datetime.datetime.fromisoformat(d.pop("accepted_at"))

        acceptance = cls(
            role=role,
            organization_id=organization_id,
            terms_sha256=terms_sha256,
            appi_notice_accepted=appi_notice_accepted,
            accepted_at=accepted_at,
        )

        acceptance.additional_properties = d
        return acceptance

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
