from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.auction_party import AuctionParty


T = TypeVar("T", bound="AuctionWinner")


@_attrs_define
class AuctionWinner:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            bidder (AuctionParty): DRF's ``Serializer`` with the declared fields copied cheaply per instance (see
                ``_SHALLOW_COPIED``).

                Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
                it shares with the declaration (``field.validators.append`` would reach every instance).
            price (int | None): Charged a seat (its trade's price).
            trade (None | UUID):
            contract (None | UUID):
            settlement (None | UUID):
    """

    bidder: AuctionParty
    price: int | None
    trade: None | UUID
    contract: None | UUID
    settlement: None | UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bidder = self.bidder.to_dict()

        price: int | None
        price = self.price

        trade: None | str
        if isinstance(self.trade, UUID):
            trade = str(self.trade)
        else:
            trade = self.trade

        contract: None | str
        if isinstance(self.contract, UUID):
            contract = str(self.contract)
        else:
            contract = self.contract

        settlement: None | str
        if isinstance(self.settlement, UUID):
            settlement = str(self.settlement)
        else:
            settlement = self.settlement

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bidder": bidder,
                "price": price,
                "trade": trade,
                "contract": contract,
                "settlement": settlement,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.auction_party import AuctionParty  # noqa: PLC0415

        d = dict(src_dict)
        bidder = AuctionParty.from_dict(d.pop("bidder"))

        def _parse_price(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        price = _parse_price(d.pop("price"))

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

        def _parse_contract(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                contract_type_0 = UUID(data)

                return contract_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        contract = _parse_contract(d.pop("contract"))

        def _parse_settlement(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                settlement_type_0 = UUID(data)

                return settlement_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        settlement = _parse_settlement(d.pop("settlement"))

        auction_winner = cls(
            bidder=bidder,
            price=price,
            trade=trade,
            contract=contract,
            settlement=settlement,
        )

        auction_winner.additional_properties = d
        return auction_winner

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
