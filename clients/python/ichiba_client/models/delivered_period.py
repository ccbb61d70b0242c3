from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DeliveredPeriod")


@_attrs_define
class DeliveredPeriod:
    """
    Attributes:
        number (int):
        starts_at (datetime.datetime):
        ends_at (datetime.datetime):
        new_versions (int):
        current (bool): Still running: its count is so far.
    """

    number: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    new_versions: int
    current: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        starts_at = self.starts_at.isoformat()

        ends_at = self.ends_at.isoformat()

        new_versions = self.new_versions

        current = self.current

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "new_versions": new_versions,
                "current": current,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        number = d.pop("number")

        starts_at = datetime.datetime.fromisoformat(d.pop("starts_at"))

        ends_at = datetime.datetime.fromisoformat(d.pop("ends_at"))

        new_versions = d.pop("new_versions")

        current = d.pop("current")

        delivered_period = cls(
            number=number,
            starts_at=starts_at,
            ends_at=ends_at,
            new_versions=new_versions,
            current=current,
        )

        delivered_period.additional_properties = d
        return delivered_period

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
