from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="AuctionBidCreateRequest")


@_attrs_define
class AuctionBidCreateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        price (int): Per seat, minor units; at least the reserve, never lower than your bid.
        accepted_terms_sha256 (str): The auction's terms_sha256.
    """

    price: int
    accepted_terms_sha256: str

    def to_dict(self) -> dict[str, Any]:
        price = self.price

        accepted_terms_sha256 = self.accepted_terms_sha256

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "price": price,
                "accepted_terms_sha256": accepted_terms_sha256,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        price = d.pop("price")

        accepted_terms_sha256 = d.pop("accepted_terms_sha256")

        auction_bid_create_request = cls(
            price=price,
            accepted_terms_sha256=accepted_terms_sha256,
        )

        return auction_bid_create_request
