from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.column_quality import ColumnQuality
    from ..models.timing import Timing


T = TypeVar("T", bound="Quality")


@_attrs_define
class Quality:
    """
    Attributes:
        rows (int):
        columns (list[ColumnQuality]):
        timing (None | Timing): IoT data with a timestamp column only.
    """

    rows: int
    columns: list[ColumnQuality]
    timing: None | Timing
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.timing import Timing  # noqa: PLC0415

        rows = self.rows

        columns = []
        for columns_item_data in self.columns:
            columns_item = columns_item_data.to_dict()
            columns.append(columns_item)

        timing: dict[str, Any] | None
        if isinstance(self.timing, Timing):
            timing = self.timing.to_dict()
        else:
            timing = self.timing

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rows": rows,
                "columns": columns,
                "timing": timing,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.column_quality import ColumnQuality  # noqa: PLC0415
        from ..models.timing import Timing  # noqa: PLC0415

        d = dict(src_dict)
        rows = d.pop("rows")

        columns = []
        _columns = d.pop("columns")
        for columns_item_data in _columns:
            columns_item = ColumnQuality.from_dict(columns_item_data)

            columns.append(columns_item)

        def _parse_timing(data: object) -> None | Timing:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                timing_type_1 = Timing.from_dict(data)

                return timing_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Timing, data)

        timing = _parse_timing(d.pop("timing"))

        quality = cls(
            rows=rows,
            columns=columns,
            timing=timing,
        )

        quality.additional_properties = d
        return quality

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
