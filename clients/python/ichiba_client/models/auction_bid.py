from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.auction_bid_status_enum import AuctionBidStatusEnum

T = TypeVar("T", bound="AuctionBid")


@_attrs_define
class AuctionBid:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            id (UUID):
            auction (UUID):
            price (int): Your bid per seat, minor units.
            status (AuctionBidStatusEnum): * `active` - Active
                * `withdrawn` - Withdrawn
                * `won` - Won
                * `lost` - Lost
                * `forfeited` - Forfeited
            placed_at (datetime.datetime): The time of the bid or of its latest raise.
            accepted_terms_sha256 (str):
            trade (None | UUID): When won.
            contract (None | str): When won: the concluded contract.
            price_paid (int | None): When won: the clearing price it was charged a seat.
            updated_at (datetime.datetime):
    """

    id: UUID
    auction: UUID
    price: int
    status: AuctionBidStatusEnum
    placed_at: datetime.datetime
    accepted_terms_sha256: str
    trade: None | UUID
    contract: None | str
    price_paid: int | None
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        auction = str(self.auction)

        price = self.price

        status = self.status.value

        placed_at = self.placed_at.isoformat()

        accepted_terms_sha256 = self.accepted_terms_sha256

        trade: None | str
        if isinstance(self.trade, UUID):
            trade = str(self.trade)
        else:
            trade = self.trade

        contract: None | str
        contract = self.contract

        price_paid: int | None
        price_paid = self.price_paid

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "auction": auction,
                "price": price,
                "status": status,
                "placed_at": placed_at,
                "accepted_terms_sha256": accepted_terms_sha256,
                "trade": trade,
                "contract": contract,
                "price_paid": price_paid,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        auction = UUID(d.pop("auction"))

        price = d.pop("price")

        status = AuctionBidStatusEnum(d.pop("status"))

        placed_at = datetime.datetime.fromisoformat(d.pop("placed_at"))

        accepted_terms_sha256 = d.pop("accepted_terms_sha256")

        def _parse_trade(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                trade_type_0 = UUID(data)

                return trade_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        trade = _parse_trade(d.pop("trade"))

        def _parse_contract(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        contract = _parse_contract(d.pop("contract"))

        def _parse_price_paid(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        price_paid = _parse_price_paid(d.pop("price_paid"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        auction_bid = cls(
            id=id,
            auction=auction,
            price=price,
            status=status,
            placed_at=placed_at,
            accepted_terms_sha256=accepted_terms_sha256,
            trade=trade,
            contract=contract,
            price_paid=price_paid,
            updated_at=updated_at,
        )

        auction_bid.additional_properties = d
        return auction_bid

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
