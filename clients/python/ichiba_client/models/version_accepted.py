from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.version_status_enum import VersionStatusEnum

T = TypeVar("T", bound="VersionAccepted")


@_attrs_define
class VersionAccepted:
    """
    Attributes:
        number (int):
        status (VersionStatusEnum): * `validating` - Validating
            * `published` - Published
            * `rejected` - Rejected
        sha256 (str):
        size_bytes (int):
        created_at (datetime.datetime):
    """

    number: int
    status: VersionStatusEnum
    sha256: str
    size_bytes: int
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        status = self.status.value

        sha256 = self.sha256

        size_bytes = self.size_bytes

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "status": status,
                "sha256": sha256,
                "size_bytes": size_bytes,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        number = d.pop("number")

        status = VersionStatusEnum(d.pop("status"))

        sha256 = d.pop("sha256")

        size_bytes = d.pop("size_bytes")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        version_accepted = cls(
            number=number,
            status=status,
            sha256=sha256,
            size_bytes=size_bytes,
            created_at=created_at,
        )

        version_accepted.additional_properties = d
        return version_accepted

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
