from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.category_enum import CategoryEnum
from ..models.update_frequency_enum import UpdateFrequencyEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.anonymization_request import AnonymizationRequest


T = TypeVar("T", bound="PatchedDatasetUpdateRequest")


@_attrs_define
class PatchedDatasetUpdateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        title (str | Unset):
        description (str | Unset):
        category (CategoryEnum | Unset): * `infrastructure` - Infrastructure
            * `manufacturing` - Manufacturing
            * `weather` - Weather and environment
            * `mobility` - Mobility and people flow
            * `retail` - Retail and consumption
            * `energy` - Energy
            * `agriculture` - Agriculture
            * `healthcare` - Healthcare
            * `other` - Other
        tags (list[str] | Unset):
        region (str | Unset):
        update_frequency (UpdateFrequencyEnum | Unset): * `once` - One-off
            * `realtime` - Real time
            * `hourly` - Hourly
            * `daily` - Daily
            * `weekly` - Weekly
            * `monthly` - Monthly
            * `quarterly` - Quarterly
            * `yearly` - Yearly
            * `irregular` - Irregular
        anonymization (AnonymizationRequest | Unset):
    """

    title: str | Unset = UNSET
    description: str | Unset = UNSET
    category: CategoryEnum | Unset = UNSET
    tags: list[str] | Unset = UNSET
    region: str | Unset = UNSET
    update_frequency: UpdateFrequencyEnum | Unset = UNSET
    anonymization: AnonymizationRequest | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        title = self.title

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

        anonymization: dict[str, Any] | Unset = UNSET
        if not isinstance(self.anonymization, Unset):
            anonymization = self.anonymization.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if title is not UNSET:
            field_dict["title"] = title
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
        title = d.pop("title", UNSET)

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

        _anonymization = d.pop("anonymization", UNSET)
        anonymization: AnonymizationRequest | Unset
        if isinstance(_anonymization, Unset):
            anonymization = UNSET
        else:
            anonymization = AnonymizationRequest.from_dict(_anonymization)

        patched_dataset_update_request = cls(
            title=title,
            description=description,
            category=category,
            tags=tags,
            region=region,
            update_frequency=update_frequency,
            anonymization=anonymization,
        )

        return patched_dataset_update_request
