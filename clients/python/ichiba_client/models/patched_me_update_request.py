from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedMeUpdateRequest")


@_attrs_define
class PatchedMeUpdateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        invoice_registration_number (str | Unset): "T" + the 13-digit corporate number (full-width digits and hyphens
            are accepted and normalised); "" clears it. A wrong check digit is refused.
    """

    invoice_registration_number: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        invoice_registration_number = self.invoice_registration_number

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if invoice_registration_number is not UNSET:
            field_dict["invoice_registration_number"] = invoice_registration_number

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        invoice_registration_number = d.pop("invoice_registration_number", UNSET)

        patched_me_update_request = cls(
            invoice_registration_number=invoice_registration_number,
        )

        return patched_me_update_request
