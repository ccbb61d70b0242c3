from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OpenOffering")


@_attrs_define
class OpenOffering:
    """
    Attributes:
        id (UUID):
        dataset (UUID):
        dataset_title (str):
        kind (str):
        seats_left (int | None):
        currency (str):
    """

    id: UUID
    dataset: UUID
    dataset_title: str
    kind: str
    seats_left: int | None
    currency: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        dataset = str(self.dataset)

        dataset_title = self.dataset_title

        kind = self.kind

        seats_left: int | None
        seats_left = self.seats_left

        currency = self.currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "dataset": dataset,
                "dataset_title": dataset_title,
                "kind": kind,
                "seats_left": seats_left,
                "currency": currency,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        dataset = UUID(d.pop("dataset"))

        dataset_title = d.pop("dataset_title")

        kind = d.pop("kind")

        def _parse_seats_left(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        seats_left = _parse_seats_left(d.pop("seats_left"))

        currency = d.pop("currency")

        open_offering = cls(
            id=id,
            dataset=dataset,
            dataset_title=dataset_title,
            kind=kind,
            seats_left=seats_left,
            currency=currency,
        )

        open_offering.additional_properties = d
        return open_offering

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
