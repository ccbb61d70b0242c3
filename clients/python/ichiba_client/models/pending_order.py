from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.pending_order_status_enum import PendingOrderStatusEnum

T = TypeVar("T", bound="PendingOrder")


@_attrs_define
class PendingOrder:
    """An order its matcher has not decided yet (202): it will be decided exactly once, and its URL tells how.

    Attributes:
        id (UUID):
        status (PendingOrderStatusEnum): * `pending` - pending
        url (str):
    """

    id: UUID
    status: PendingOrderStatusEnum
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        status = self.status.value

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        status = PendingOrderStatusEnum(d.pop("status"))

        url = d.pop("url")

        pending_order = cls(
            id=id,
            status=status,
            url=url,
        )

        pending_order.additional_properties = d
        return pending_order

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
