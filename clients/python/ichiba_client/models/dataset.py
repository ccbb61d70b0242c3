from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.category_enum import CategoryEnum
from ..models.data_class_enum import DataClassEnum
from ..models.dataset_status_enum import DatasetStatusEnum
from ..models.update_frequency_enum import UpdateFrequencyEnum

if TYPE_CHECKING:
    from ..models.seller import Seller
    from ..models.takedown import Takedown


T = TypeVar("T", bound="Dataset")


@_attrs_define
class Dataset:
    """
    Attributes:
        id (UUID):
        seller (Seller):
        title (str):
        description (str):
        data_class (DataClassEnum): * `anonymized` - Anonymously processed information
            * `iot` - IoT / non-personal sensing data
        category (CategoryEnum): * `infrastructure` - Infrastructure
            * `manufacturing` - Manufacturing
            * `weather` - Weather and environment
            * `mobility` - Mobility and people flow
            * `retail` - Retail and consumption
            * `energy` - Energy
            * `agriculture` - Agriculture
            * `healthcare` - Healthcare
            * `other` - Other
        tags (list[str]):
        region (str):
        update_frequency (UpdateFrequencyEnum): * `once` - One-off
            * `realtime` - Real time
            * `hourly` - Hourly
            * `daily` - Daily
            * `weekly` - Weekly
            * `monthly` - Monthly
            * `quarterly` - Quarterly
            * `yearly` - Yearly
            * `irregular` - Irregular
        anonymization (Any):
        status (DatasetStatusEnum): * `draft` - Draft
            * `published` - Published
            * `withdrawn` - Withdrawn
        latest_version (int | None):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        published_at (datetime.datetime | None):
        taken_down (None | Takedown):
    """

    id: UUID
    seller: Seller
    title: str
    description: str
    data_class: DataClassEnum
    category: CategoryEnum
    tags: list[str]
    region: str
    update_frequency: UpdateFrequencyEnum
    anonymization: Any
    status: DatasetStatusEnum
    latest_version: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    published_at: datetime.datetime | None
    taken_down: None | Takedown
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.takedown import Takedown  # noqa: PLC0415

        id = str(self.id)

        seller = self.seller.to_dict()

        title = self.title

        description = self.description

        data_class = self.data_class.value

        category = self.category.value

        tags = self.tags

        region = self.region

        update_frequency = self.update_frequency.value

        anonymization = self.anonymization

        status = self.status.value

        latest_version: int | None
        latest_version = self.latest_version

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        published_at: None | str
        if isinstance(self.published_at, datetime.datetime):
            published_at = self.published_at.isoformat()
        else:
            published_at = self.published_at

        taken_down: dict[str, Any] | None
        if isinstance(self.taken_down, Takedown):
            taken_down = self.taken_down.to_dict()
        else:
            taken_down = self.taken_down

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "seller": seller,
                "title": title,
                "description": description,
                "data_class": data_class,
                "category": category,
                "tags": tags,
                "region": region,
                "update_frequency": update_frequency,
                "anonymization": anonymization,
                "status": status,
                "latest_version": latest_version,
                "created_at": created_at,
                "updated_at": updated_at,
                "published_at": published_at,
                "taken_down": taken_down,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.seller import Seller  # noqa: PLC0415
        from ..models.takedown import Takedown  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        seller = Seller.from_dict(d.pop("seller"))

        title = d.pop("title")

        description = d.pop("description")

        data_class = DataClassEnum(d.pop("data_class"))

        category = CategoryEnum(d.pop("category"))

        tags = cast(list[str], d.pop("tags"))

        region = d.pop("region")

        update_frequency = UpdateFrequencyEnum(d.pop("update_frequency"))

        anonymization = d.pop("anonymization")

        status = DatasetStatusEnum(d.pop("status"))

        def _parse_latest_version(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        latest_version = _parse_latest_version(d.pop("latest_version"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_published_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                published_at_type_0 = datetime.datetime.fromisoformat(data)

                return published_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        published_at = _parse_published_at(d.pop("published_at"))

        def _parse_taken_down(data: object) -> None | Takedown:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                taken_down_type_1 = Takedown.from_dict(data)

                return taken_down_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Takedown, data)

        taken_down = _parse_taken_down(d.pop("taken_down"))

        dataset = cls(
            id=id,
            seller=seller,
            title=title,
            description=description,
            data_class=data_class,
            category=category,
            tags=tags,
            region=region,
            update_frequency=update_frequency,
            anonymization=anonymization,
            status=status,
            latest_version=latest_version,
            created_at=created_at,
            updated_at=updated_at,
            published_at=published_at,
            taken_down=taken_down,
        )

        dataset.additional_properties = d
        return dataset

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
