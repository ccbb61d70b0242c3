from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.facet_value import FacetValue


T = TypeVar("T", bound="Facets")


@_attrs_define
class Facets:
    """
    Attributes:
        total (int): Datasets matching the query (the planner's estimate if approximate).
        approximate (bool): True when the query matches more datasets than are counted: the counts are those of its
            newest `counted` matches, scaled to `total`.
        counted (int): How many matches were counted.
        data_class (list[FacetValue]):
        category (list[FacetValue]):
        region (list[FacetValue]):
        tag (list[FacetValue]):
    """

    total: int
    approximate: bool
    counted: int
    data_class: list[FacetValue]
    category: list[FacetValue]
    region: list[FacetValue]
    tag: list[FacetValue]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total = self.total

        approximate = self.approximate

        counted = self.counted

        data_class = []
        for data_class_item_data in self.data_class:
            data_class_item = data_class_item_data.to_dict()
            data_class.append(data_class_item)

        category = []
        for category_item_data in self.category:
            category_item = category_item_data.to_dict()
            category.append(category_item)

        region = []
        for region_item_data in self.region:
            region_item = region_item_data.to_dict()
            region.append(region_item)

        tag = []
        for tag_item_data in self.tag:
            tag_item = tag_item_data.to_dict()
            tag.append(tag_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "total": total,
                "approximate": approximate,
                "counted": counted,
                "data_class": data_class,
                "category": category,
                "region": region,
                "tag": tag,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.facet_value import FacetValue  # noqa: PLC0415

        d = dict(src_dict)
        total = d.pop("total")

        approximate = d.pop("approximate")

        counted = d.pop("counted")

        data_class = []
        _data_class = d.pop("data_class")
        for data_class_item_data in _data_class:
            data_class_item = FacetValue.from_dict(data_class_item_data)

            data_class.append(data_class_item)

        category = []
        _category = d.pop("category")
        for category_item_data in _category:
            category_item = FacetValue.from_dict(category_item_data)

            category.append(category_item)

        region = []
        _region = d.pop("region")
        for region_item_data in _region:
            region_item = FacetValue.from_dict(region_item_data)

            region.append(region_item)

        tag = []
        _tag = d.pop("tag")
        for tag_item_data in _tag:
            tag_item = FacetValue.from_dict(tag_item_data)

            tag.append(tag_item)

        facets = cls(
            total=total,
            approximate=approximate,
            counted=counted,
            data_class=data_class,
            category=category,
            region=region,
            tag=tag,
        )

        facets.additional_properties = d
        return facets

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
