from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.book_level import BookLevel
    from ..models.trade import Trade


T = TypeVar("T", bound="Book")


@_attrs_define
class Book:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            bids (list[BookLevel]):
            asks (list[BookLevel]):
            last_trade (None | Trade):
    """

    bids: list[BookLevel]
    asks: list[BookLevel]
    last_trade: None | Trade
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.trade import Trade  # noqa: PLC0415

        bids = []
        for bids_item_data in self.bids:
            bids_item = bids_item_data.to_dict()
            bids.append(bids_item)

        asks = []
        for asks_item_data in self.asks:
            asks_item = asks_item_data.to_dict()
            asks.append(asks_item)

        last_trade: dict[str, Any] | None
        if isinstance(self.last_trade, Trade):
            last_trade = self.last_trade.to_dict()
        else:
            last_trade = self.last_trade

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bids": bids,
                "asks": asks,
                "last_trade": last_trade,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.book_level import BookLevel  # noqa: PLC0415
        from ..models.trade import Trade  # noqa: PLC0415

        d = dict(src_dict)
        bids = []
        _bids = d.pop("bids")
        for bids_item_data in _bids:
            bids_item = BookLevel.from_dict(bids_item_data)

            bids.append(bids_item)

        asks = []
        _asks = d.pop("asks")
        for asks_item_data in _asks:
            asks_item = BookLevel.from_dict(asks_item_data)

            asks.append(asks_item)

        def _parse_last_trade(data: object) -> None | Trade:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_trade_type_1 = Trade.from_dict(data)

                return last_trade_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Trade, data)

        last_trade = _parse_last_trade(d.pop("last_trade"))

        book = cls(
            bids=bids,
            asks=asks,
            last_trade=last_trade,
        )

        book.additional_properties = d
        return book

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
