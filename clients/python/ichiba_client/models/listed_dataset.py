from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ListedDataset")


@_attrs_define
class ListedDataset:
    """
    Attributes:
        id (UUID):
        title (str):
        data_class (str):
        category (str):
        region (str):
    """

    id: UUID
    title: str
    data_class: str
    category: str
    region: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        title = self.title

        data_class = self.data_class

        category = self.category

        region = self.region

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "title": title,
                "data_class": data_class,
                "category": category,
                "region": region,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        title = d.pop("title")

        data_class = d.pop("data_class")

        category = d.pop("category")

        region = d.pop("region")

        listed_dataset = cls(
            id=id,
            title=title,
            data_class=data_class,
            category=category,
            region=region,
        )

        listed_dataset.additional_properties = d
        return listed_dataset

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
