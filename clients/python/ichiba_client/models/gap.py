from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Gap")


@_attrs_define
class Gap:
    """
    Attributes:
        sensor (None | str): The sensor's value as text; null: one series.
        start (str): ISO 8601: the reading before the gap.
        end (str): ISO 8601: the reading after it.
        seconds (float):
    """

    sensor: None | str
    start: str
    end: str
    seconds: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sensor: None | str
        sensor = self.sensor

        start = self.start

        end = self.end

        seconds = self.seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sensor": sensor,
                "start": start,
                "end": end,
                "seconds": seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_sensor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sensor = _parse_sensor(d.pop("sensor"))

        start = d.pop("start")

        end = d.pop("end")

        seconds = d.pop("seconds")

        gap = cls(
            sensor=sensor,
            start=start,
            end=end,
            seconds=seconds,
        )

        gap.additional_properties = d
        return gap

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
