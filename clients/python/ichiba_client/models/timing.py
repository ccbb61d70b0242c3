from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.gap import Gap


T = TypeVar("T", bound="Timing")


@_attrs_define
class Timing:
    """
    Attributes:
        timestamp_column (str):
        sensor_column (None | str): null: the file is one series.
        sensors (int):
        interval_median_seconds (float | None): Median gap between one sensor's consecutive readings; null: no sensor
            has two.
        interval_p99_seconds (float | None):
        largest_gap (Gap | None):
        newest_reading (str): ISO 8601.
        freshness_seconds (float): From the newest reading to publication; negative when readings are in the future.
    """

    timestamp_column: str
    sensor_column: None | str
    sensors: int
    interval_median_seconds: float | None
    interval_p99_seconds: float | None
    largest_gap: Gap | None
    newest_reading: str
    freshness_seconds: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.gap import Gap  # noqa: PLC0415

        timestamp_column = self.timestamp_column

        sensor_column: None | str
        sensor_column = self.sensor_column

        sensors = self.sensors

        interval_median_seconds: float | None
        interval_median_seconds = self.interval_median_seconds

        interval_p99_seconds: float | None
        interval_p99_seconds = self.interval_p99_seconds

        largest_gap: dict[str, Any] | None
        if isinstance(self.largest_gap, Gap):
            largest_gap = self.largest_gap.to_dict()
        else:
            largest_gap = self.largest_gap

        newest_reading = self.newest_reading

        freshness_seconds = self.freshness_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "timestamp_column": timestamp_column,
                "sensor_column": sensor_column,
                "sensors": sensors,
                "interval_median_seconds": interval_median_seconds,
                "interval_p99_seconds": interval_p99_seconds,
                "largest_gap": largest_gap,
                "newest_reading": newest_reading,
                "freshness_seconds": freshness_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gap import Gap  # noqa: PLC0415

        d = dict(src_dict)
        timestamp_column = d.pop("timestamp_column")

        def _parse_sensor_column(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sensor_column = _parse_sensor_column(d.pop("sensor_column"))

        sensors = d.pop("sensors")

        def _parse_interval_median_seconds(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        interval_median_seconds = _parse_interval_median_seconds(d.pop("interval_median_seconds"))

        def _parse_interval_p99_seconds(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        interval_p99_seconds = _parse_interval_p99_seconds(d.pop("interval_p99_seconds"))

        def _parse_largest_gap(data: object) -> Gap | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                largest_gap_type_1 = Gap.from_dict(data)

                return largest_gap_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Gap | None, data)

        largest_gap = _parse_largest_gap(d.pop("largest_gap"))

        newest_reading = d.pop("newest_reading")

        freshness_seconds = d.pop("freshness_seconds")

        timing = cls(
            timestamp_column=timestamp_column,
            sensor_column=sensor_column,
            sensors=sensors,
            interval_median_seconds=interval_median_seconds,
            interval_p99_seconds=interval_p99_seconds,
            largest_gap=largest_gap,
            newest_reading=newest_reading,
            freshness_seconds=freshness_seconds,
        )

        timing.additional_properties = d
        return timing

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
