from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.category_enum import CategoryEnum
from ..models.data_class_enum import DataClassEnum
from ..models.update_frequency_enum import UpdateFrequencyEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.anonymization_request import AnonymizationRequest


T = TypeVar("T", bound="DatasetCreateRequest")


@_attrs_define
class DatasetCreateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        title (str):
        data_class (DataClassEnum): * `anonymized` - Anonymously processed information
            * `iot` - IoT / non-personal sensing data
        description (str | Unset):  Default: ''.
        category (CategoryEnum | Unset): * `infrastructure` - Infrastructure
            * `manufacturing` - Manufacturing
            * `weather` - Weather and environment
            * `mobility` - Mobility and people flow
            * `retail` - Retail and consumption
            * `energy` - Energy
            * `agriculture` - Agriculture
            * `healthcare` - Healthcare
            * `other` - Other Default: CategoryEnum.OTHER.
        tags (list[str] | Unset):
        region (str | Unset):  Default: ''.
        update_frequency (UpdateFrequencyEnum | Unset): * `once` - One-off
            * `realtime` - Real time
            * `hourly` - Hourly
            * `daily` - Daily
            * `weekly` - Weekly
            * `monthly` - Monthly
            * `quarterly` - Quarterly
            * `yearly` - Yearly
            * `irregular` - Irregular Default: UpdateFrequencyEnum.ONCE.
        anonymization (AnonymizationRequest | None | Unset):
    """

    title: str
    data_class: DataClassEnum
    description: str | Unset = ""
    category: CategoryEnum | Unset = CategoryEnum.OTHER
    tags: list[str] | Unset = UNSET
    region: str | Unset = ""
    update_frequency: UpdateFrequencyEnum | Unset = UpdateFrequencyEnum.ONCE
    anonymization: AnonymizationRequest | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.anonymization_request import AnonymizationRequest  # noqa: PLC0415

        title = self.title

        data_class = self.data_class.value

        description = self.description

        category: str | Unset = UNSET
        if not isinstance(self.category, Unset):
            category = self.category.value

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        region = self.region

        update_frequency: str | Unset = UNSET
        if not isinstance(self.update_frequency, Unset):
            update_frequency = self.update_frequency.value

        anonymization: dict[str, Any] | None | Unset
        if isinstance(self.anonymization, Unset):
            anonymization = UNSET
        elif isinstance(self.anonymization, AnonymizationRequest):
            anonymization = self.anonymization.to_dict()
        else:
            anonymization = self.anonymization

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
                "data_class": data_class,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if category is not UNSET:
            field_dict["category"] = category
        if tags is not UNSET:
            field_dict["tags"] = tags
        if region is not UNSET:
            field_dict["region"] = region
        if update_frequency is not UNSET:
            field_dict["update_frequency"] = update_frequency
        if anonymization is not UNSET:
            field_dict["anonymization"] = anonymization

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.anonymization_request import AnonymizationRequest  # noqa: PLC0415

        d = dict(src_dict)
        title = d.pop("title")

        data_class = DataClassEnum(d.pop("data_class"))

        description = d.pop("description", UNSET)

        _category = d.pop("category", UNSET)
        category: CategoryEnum | Unset
        if isinstance(_category, Unset):
            category = UNSET
        else:
            category = CategoryEnum(_category)

        tags = cast(list[str], d.pop("tags", UNSET))

        region = d.pop("region", UNSET)

        _update_frequency = d.pop("update_frequency", UNSET)
        update_frequency: UpdateFrequencyEnum | Unset
        if isinstance(_update_frequency, Unset):
            update_frequency = UNSET
        else:
            update_frequency = UpdateFrequencyEnum(_update_frequency)

        def _parse_anonymization(data: object) -> AnonymizationRequest | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                anonymization_type_1 = AnonymizationRequest.from_dict(data)

                return anonymization_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AnonymizationRequest | None | Unset, data)

        anonymization = _parse_anonymization(d.pop("anonymization", UNSET))

        dataset_create_request = cls(
            title=title,
            data_class=data_class,
            description=description,
            category=category,
            tags=tags,
            region=region,
            update_frequency=update_frequency,
            anonymization=anonymization,
        )

        return dataset_create_request
