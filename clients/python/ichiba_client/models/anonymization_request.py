from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AnonymizationRequest")


@_attrs_define
class AnonymizationRequest:
    """
    Attributes:
        quasi_identifiers (list[str]):
        personal_info_items (list[str]):
        method (str):
    """

    quasi_identifiers: list[str]
    personal_info_items: list[str]
    method: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        quasi_identifiers = self.quasi_identifiers

        personal_info_items = self.personal_info_items

        method = self.method

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "quasi_identifiers": quasi_identifiers,
                "personal_info_items": personal_info_items,
                "method": method,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        quasi_identifiers = cast(list[str], d.pop("quasi_identifiers"))

        personal_info_items = cast(list[str], d.pop("personal_info_items"))

        method = d.pop("method")

        anonymization_request = cls(
            quasi_identifiers=quasi_identifiers,
            personal_info_items=personal_info_items,
            method=method,
        )

        anonymization_request.additional_properties = d
        return anonymization_request

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
