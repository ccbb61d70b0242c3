from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from .. import types
from ..types import UNSET, File, FileTypes, Unset

T = TypeVar("T", bound="PatchedSellerProfileUpdateRequest")


@_attrs_define
class PatchedSellerProfileUpdateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        description (str | Unset):
        website (str | Unset): An http or https address; empty removes it.
        logo (File | None | Unset): A PNG, JPEG or WebP image of at most 524288 bytes (multipart/form-data); null
            removes it.
    """

    description: str | Unset = UNSET
    website: str | Unset = UNSET
    logo: File | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        website = self.website

        logo: FileTypes | None | Unset
        if isinstance(self.logo, Unset):
            logo = UNSET
        elif isinstance(self.logo, File):
            logo = self.logo.to_tuple()

        else:
            logo = self.logo

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if website is not UNSET:
            field_dict["website"] = website
        if logo is not UNSET:
            field_dict["logo"] = logo

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        if not isinstance(self.description, Unset):
            files.append(("description", (None, str(self.description).encode(), "text/plain")))

        if not isinstance(self.website, Unset):
            files.append(("website", (None, str(self.website).encode(), "text/plain")))

        if not isinstance(self.logo, Unset):
            if isinstance(self.logo, File):
                files.append(("logo", self.logo.to_tuple()))
            else:
                files.append(("logo", (None, str(self.logo).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description", UNSET)

        website = d.pop("website", UNSET)

        def _parse_logo(data: object) -> File | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, bytes):
                    raise TypeError()
                logo_type_0 = File(payload=BytesIO(data))

                return logo_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(File | None | Unset, data)

        logo = _parse_logo(d.pop("logo", UNSET))

        patched_seller_profile_update_request = cls(
            description=description,
            website=website,
            logo=logo,
        )

        return patched_seller_profile_update_request
