from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.column_quality_type_enum import ColumnQualityTypeEnum

T = TypeVar("T", bound="ColumnQuality")


@_attrs_define
class ColumnQuality:
    """
    Attributes:
        name (str):
        type_ (ColumnQualityTypeEnum): * `integer` - integer
            * `number` - number
            * `boolean` - boolean
            * `datetime` - datetime
            * `date` - date
            * `string` - string
        null_count (int):
        null_rate (float): null_count / rows, from 0 to 1 (0 for a file without rows).
        distinct (int): Distinct values; an estimate when distinct_approximate.
        distinct_approximate (bool): True past 100,000 distinct values, where the count is estimated.
        min_ (float | None | str): A number for a number column; ISO 8601 text for a date or date-time column; null for
            text and boolean columns and for a column with no value.
        max_ (float | None | str): A number for a number column; ISO 8601 text for a date or date-time column; null for
            text and boolean columns and for a column with no value.
    """

    name: str
    type_: ColumnQualityTypeEnum
    null_count: int
    null_rate: float
    distinct: int
    distinct_approximate: bool
    min_: float | None | str
    max_: float | None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_.value

        null_count = self.null_count

        null_rate = self.null_rate

        distinct = self.distinct

        distinct_approximate = self.distinct_approximate

        min_: float | None | str
        min_ = self.min_

        max_: float | None | str
        max_ = self.max_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "type": type_,
                "null_count": null_count,
                "null_rate": null_rate,
                "distinct": distinct,
                "distinct_approximate": distinct_approximate,
                "min": min_,
                "max": max_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        type_ = ColumnQualityTypeEnum(d.pop("type"))

        null_count = d.pop("null_count")

        null_rate = d.pop("null_rate")

        distinct = d.pop("distinct")

        distinct_approximate = d.pop("distinct_approximate")

        def _parse_min_(data: object) -> float | None | str:
            if data is None:
                return data
            return cast(float | None | str, data)

        min_ = _parse_min_(d.pop("min"))

        def _parse_max_(data: object) -> float | None | str:
            if data is None:
                return data
            return cast(float | None | str, data)

        max_ = _parse_max_(d.pop("max"))

        column_quality = cls(
            name=name,
            type_=type_,
            null_count=null_count,
            null_rate=null_rate,
            distinct=distinct,
            distinct_approximate=distinct_approximate,
            min_=min_,
            max_=max_,
        )

        column_quality.additional_properties = d
        return column_quality

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
