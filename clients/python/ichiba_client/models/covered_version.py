from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CoveredVersion")


@_attrs_define
class CoveredVersion:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            number (int):
            id (UUID):
            sha256 (str):
            size (int): Bytes.
            published_at (datetime.datetime):
    """

    number: int
    id: UUID
    sha256: str
    size: int
    published_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        id = str(self.id)

        sha256 = self.sha256

        size = self.size

        published_at = self.published_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "id": id,
                "sha256": sha256,
                "size": size,
                "published_at": published_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        number = d.pop("number")

        id = UUID(d.pop("id"))

        sha256 = d.pop("sha256")

        size = d.pop("size")

        published_at = datetime.datetime.fromisoformat(d.pop("published_at"))

        covered_version = cls(
            number=number,
            id=id,
            sha256=sha256,
            size=size,
            published_at=published_at,
        )

        covered_version.additional_properties = d
        return covered_version

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
