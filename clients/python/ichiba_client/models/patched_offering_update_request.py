from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedOfferingUpdateRequest")


@_attrs_define
class PatchedOfferingUpdateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        delivery_url (str | Unset): Your own https endpoint that serves the data to buyers (seller-hosted delivery;
            docs/delivery.md): buyers send it the market's signed JWT. Empty: the market delivers the stored version.
            Refused unless its host resolves to public addresses only; no credentials, no fragment.
    """

    delivery_url: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        delivery_url = self.delivery_url

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if delivery_url is not UNSET:
            field_dict["delivery_url"] = delivery_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        delivery_url = d.pop("delivery_url", UNSET)

        patched_offering_update_request = cls(
            delivery_url=delivery_url,
        )

        return patched_offering_update_request
