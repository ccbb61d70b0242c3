from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.version_status_enum import VersionStatusEnum

if TYPE_CHECKING:
    from ..models.check import Check
    from ..models.column import Column
    from ..models.quality import Quality
    from ..models.rendition import Rendition


T = TypeVar("T", bound="Version")


@_attrs_define
class Version:
    """
    Attributes:
        number (int):
        status (VersionStatusEnum): * `validating` - Validating
            * `published` - Published
            * `rejected` - Rejected
        format_ (str):
        original_filename (str):
        sha256 (str):
        size_bytes (int):
        row_count (int | None):
        schema (list[Column]):
        schema_columns_omitted (int): Columns beyond the first 1,000, not listed in schema (only versions stored before
            the limit).
        time_range (Any):
        checks (list[Check]):
        quality (None | Quality): What a buyer can judge the data by, measured once the version is published; null until
            then (and for a rejected version).
        renditions (list[Rendition]): The same data in other formats, converted once the version is published (empty
            until then): download one with ?format= on the download URL.
        created_at (datetime.datetime):
        validated_at (datetime.datetime | None):
    """

    number: int
    status: VersionStatusEnum
    format_: str
    original_filename: str
    sha256: str
    size_bytes: int
    row_count: int | None
    schema: list[Column]
    schema_columns_omitted: int
    time_range: Any
    checks: list[Check]
    quality: None | Quality
    renditions: list[Rendition]
    created_at: datetime.datetime
    validated_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.quality import Quality  # noqa: PLC0415

        number = self.number

        status = self.status.value

        format_ = self.format_

        original_filename = self.original_filename

        sha256 = self.sha256

        size_bytes = self.size_bytes

        row_count: int | None
        row_count = self.row_count

        schema = []
        for schema_item_data in self.schema:
            schema_item = schema_item_data.to_dict()
            schema.append(schema_item)

        schema_columns_omitted = self.schema_columns_omitted

        time_range = self.time_range

        checks = []
        for checks_item_data in self.checks:
            checks_item = checks_item_data.to_dict()
            checks.append(checks_item)

        quality: dict[str, Any] | None
        if isinstance(self.quality, Quality):
            quality = self.quality.to_dict()
        else:
            quality = self.quality

        renditions = []
        for renditions_item_data in self.renditions:
            renditions_item = renditions_item_data.to_dict()
            renditions.append(renditions_item)

        created_at = self.created_at.isoformat()

        validated_at: None | str
        if isinstance(self.validated_at, datetime.datetime):
            validated_at = self.validated_at.isoformat()
        else:
            validated_at = self.validated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "status": status,
                "format": format_,
                "original_filename": original_filename,
                "sha256": sha256,
                "size_bytes": size_bytes,
                "row_count": row_count,
                "schema": schema,
                "schema_columns_omitted": schema_columns_omitted,
                "time_range": time_range,
                "checks": checks,
                "quality": quality,
                "renditions": renditions,
                "created_at": created_at,
                "validated_at": validated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.check import Check  # noqa: PLC0415
        from ..models.column import Column  # noqa: PLC0415
        from ..models.quality import Quality  # noqa: PLC0415
        from ..models.rendition import Rendition  # noqa: PLC0415

        d = dict(src_dict)
        number = d.pop("number")

        status = VersionStatusEnum(d.pop("status"))

        format_ = d.pop("format")

        original_filename = d.pop("original_filename")

        sha256 = d.pop("sha256")

        size_bytes = d.pop("size_bytes")

        def _parse_row_count(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        row_count = _parse_row_count(d.pop("row_count"))

        schema = []
        _schema = d.pop("schema")
        for schema_item_data in _schema:
            schema_item = Column.from_dict(schema_item_data)

            schema.append(schema_item)

        schema_columns_omitted = d.pop("schema_columns_omitted")

        time_range = d.pop("time_range")

        checks = []
        _checks = d.pop("checks")
        for checks_item_data in _checks:
            checks_item = Check.from_dict(checks_item_data)

            checks.append(checks_item)

        def _parse_quality(data: object) -> None | Quality:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quality_type_1 = Quality.from_dict(data)

                return quality_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Quality, data)

        quality = _parse_quality(d.pop("quality"))

        renditions = []
        _renditions = d.pop("renditions")
        for renditions_item_data in _renditions:
            renditions_item = Rendition.from_dict(renditions_item_data)

            renditions.append(renditions_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_validated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                validated_at_type_0 = datetime.datetime.fromisoformat(data)

                return validated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        validated_at = _parse_validated_at(d.pop("validated_at"))

        version = cls(
            number=number,
            status=status,
            format_=format_,
            original_filename=original_filename,
            sha256=sha256,
            size_bytes=size_bytes,
            row_count=row_count,
            schema=schema,
            schema_columns_omitted=schema_columns_omitted,
            time_range=time_range,
            checks=checks,
            quality=quality,
            renditions=renditions,
            created_at=created_at,
            validated_at=validated_at,
        )

        version.additional_properties = d
        return version

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
