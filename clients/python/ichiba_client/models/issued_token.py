from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.issued_token_kind_enum import IssuedTokenKindEnum

if TYPE_CHECKING:
    from ..models.token_file import TokenFile


T = TypeVar("T", bound="IssuedToken")


@_attrs_define
class IssuedToken:
    """
    Attributes:
        token (str): Shown once; only its SHA-256 is stored.
        expires_at (datetime.datetime):
        download_url (str): hosted: GET this URL (the token is part of it). provider (kind=jwt): the seller's endpoint;
            send the token as `Authorization: Bearer <token>`.
        kind (IssuedTokenKindEnum): * `opaque` - opaque
            * `jwt` - jwt
        version (int): The number of the version the token fetches.
        formats (list[TokenFile]): The files the token fetches, the version's own format first: hosted, every format the
            version has (the others with ?format=, converted when it was published); provider, the original only.
    """

    token: str
    expires_at: datetime.datetime
    download_url: str
    kind: IssuedTokenKindEnum
    version: int
    formats: list[TokenFile]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        expires_at = self.expires_at.isoformat()

        download_url = self.download_url

        kind = self.kind.value

        version = self.version

        formats = []
        for formats_item_data in self.formats:
            formats_item = formats_item_data.to_dict()
            formats.append(formats_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "token": token,
                "expires_at": expires_at,
                "download_url": download_url,
                "kind": kind,
                "version": version,
                "formats": formats,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.token_file import TokenFile  # noqa: PLC0415

        d = dict(src_dict)
        token = d.pop("token")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        download_url = d.pop("download_url")

        kind = IssuedTokenKindEnum(d.pop("kind"))

        version = d.pop("version")

        formats = []
        _formats = d.pop("formats")
        for formats_item_data in _formats:
            formats_item = TokenFile.from_dict(formats_item_data)

            formats.append(formats_item)

        issued_token = cls(
            token=token,
            expires_at=expires_at,
            download_url=download_url,
            kind=kind,
            version=version,
            formats=formats,
        )

        issued_token.additional_properties = d
        return issued_token

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
