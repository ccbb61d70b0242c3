from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PaymentMethodCreateRequest")


@_attrs_define
class PaymentMethodCreateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        payment_method (str): A provider token such as pm_card_visa (never card numbers).
    """

    payment_method: str

    def to_dict(self) -> dict[str, Any]:
        payment_method = self.payment_method

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "payment_method": payment_method,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        payment_method = d.pop("payment_method")

        payment_method_create_request = cls(
            payment_method=payment_method,
        )

        return payment_method_create_request
