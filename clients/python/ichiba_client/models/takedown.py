from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.takedown_category_enum import TakedownCategoryEnum

T = TypeVar("T", bound="Takedown")


@_attrs_define
class Takedown:
    """Why the market's operator took a dataset or an offering down (docs/domain.md#take-downs).

    Attributes:
        category (TakedownCategoryEnum): * `unlawful` - Unlawful content
            * `rights` - Infringes another's rights
            * `policy` - Breaks the market's rules
            * `seller_request` - At the seller's request
        reason (str):
        taken_down_at (datetime.datetime):
    """

    category: TakedownCategoryEnum
    reason: str
    taken_down_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        category = self.category.value

        reason = self.reason

        taken_down_at = self.taken_down_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "category": category,
                "reason": reason,
                "taken_down_at": taken_down_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        category = TakedownCategoryEnum(d.pop("category"))

        reason = d.pop("reason")

        taken_down_at = datetime.datetime.fromisoformat(d.pop("taken_down_at"))

        takedown = cls(
            category=category,
            reason=reason,
            taken_down_at=taken_down_at,
        )

        takedown.additional_properties = d
        return takedown

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
