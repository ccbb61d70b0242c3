from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.license_type_enum import LicenseTypeEnum

T = TypeVar("T", bound="Licence")


@_attrs_define
class Licence:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            license_type (LicenseTypeEnum): * `non_exclusive` - non_exclusive
                * `exclusive` - exclusive
            duration_days (int):
            territory (list[str]): ISO 3166-1 alpha-2 codes.
            seats (int | None): The offering's licence seats in all; null: unlimited.
            summary (str): One phrase, e.g. "non-exclusive, 365 days, JP, 10 seats".
    """

    license_type: LicenseTypeEnum
    duration_days: int
    territory: list[str]
    seats: int | None
    summary: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        license_type = self.license_type.value

        duration_days = self.duration_days

        territory = self.territory

        seats: int | None
        seats = self.seats

        summary = self.summary

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "license_type": license_type,
                "duration_days": duration_days,
                "territory": territory,
                "seats": seats,
                "summary": summary,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        license_type = LicenseTypeEnum(d.pop("license_type"))

        duration_days = d.pop("duration_days")

        territory = cast(list[str], d.pop("territory"))

        def _parse_seats(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        seats = _parse_seats(d.pop("seats"))

        summary = d.pop("summary")

        licence = cls(
            license_type=license_type,
            duration_days=duration_days,
            territory=territory,
            seats=seats,
            summary=summary,
        )

        licence.additional_properties = d
        return licence

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
