from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PrivateOfferAcceptRequest")


@_attrs_define
class PrivateOfferAcceptRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        accepted_terms_sha256 (str): The latest revision's terms_sha256: you accept exactly those terms.
        revision (int | None | Unset): The latest revision's number (recommended): the terms hash does not cover price
            and quantity, so naming the revision refuses, with 409, an acceptance of a price countered since you read it.
    """

    accepted_terms_sha256: str
    revision: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        accepted_terms_sha256 = self.accepted_terms_sha256

        revision: int | None | Unset
        if isinstance(self.revision, Unset):
            revision = UNSET
        else:
            revision = self.revision

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "accepted_terms_sha256": accepted_terms_sha256,
            }
        )
        if revision is not UNSET:
            field_dict["revision"] = revision

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        accepted_terms_sha256 = d.pop("accepted_terms_sha256")

        def _parse_revision(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        revision = _parse_revision(d.pop("revision", UNSET))

        private_offer_accept_request = cls(
            accepted_terms_sha256=accepted_terms_sha256,
            revision=revision,
        )

        return private_offer_accept_request
