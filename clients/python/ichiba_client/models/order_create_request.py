from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.side_enum import SideEnum
from ..models.time_in_force_enum import TimeInForceEnum
from ..models.type_enum import TypeEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderCreateRequest")


@_attrs_define
class OrderCreateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        offering (UUID):
        side (SideEnum): * `buy` - Buy
            * `sell` - Sell
        quantity (int | None): Seats. null: an unlimited ask (seller, offering with unlimited seats).
        type_ (TypeEnum | Unset): * `limit` - Limit
            * `market` - Market Default: TypeEnum.LIMIT.
        price (int | None | Unset): Per seat, in minor units (JPY has none). Limit orders only.
        time_in_force (TimeInForceEnum | Unset): * `gtc` - Good till cancelled
            * `ioc` - Immediate or cancel
            * `fok` - Fill or kill
            * `gtd` - Good till date Default: TimeInForceEnum.GTC.
        expires_at (datetime.datetime | None | Unset):
        accepted_terms_sha256 (str | Unset): Buy orders: the offering's terms_sha256.
    """

    offering: UUID
    side: SideEnum
    quantity: int | None
    type_: TypeEnum | Unset = TypeEnum.LIMIT
    price: int | None | Unset = UNSET
    time_in_force: TimeInForceEnum | Unset = TimeInForceEnum.GTC
    expires_at: datetime.datetime | None | Unset = UNSET
    accepted_terms_sha256: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        offering = str(self.offering)

        side = self.side.value

        quantity: int | None
        quantity = self.quantity

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        price: int | None | Unset
        if isinstance(self.price, Unset):
            price = UNSET
        else:
            price = self.price

        time_in_force: str | Unset = UNSET
        if not isinstance(self.time_in_force, Unset):
            time_in_force = self.time_in_force.value

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        accepted_terms_sha256 = self.accepted_terms_sha256

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "offering": offering,
                "side": side,
                "quantity": quantity,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if price is not UNSET:
            field_dict["price"] = price
        if time_in_force is not UNSET:
            field_dict["time_in_force"] = time_in_force
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if accepted_terms_sha256 is not UNSET:
            field_dict["accepted_terms_sha256"] = accepted_terms_sha256

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        offering = UUID(d.pop("offering"))

        side = SideEnum(d.pop("side"))

        def _parse_quantity(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        quantity = _parse_quantity(d.pop("quantity"))

        _type_ = d.pop("type", UNSET)
        type_: TypeEnum | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = TypeEnum(_type_)

        def _parse_price(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        price = _parse_price(d.pop("price", UNSET))

        _time_in_force = d.pop("time_in_force", UNSET)
        time_in_force: TimeInForceEnum | Unset
        if isinstance(_time_in_force, Unset):
            time_in_force = UNSET
        else:
            time_in_force = TimeInForceEnum(_time_in_force)

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        accepted_terms_sha256 = d.pop("accepted_terms_sha256", UNSET)

        order_create_request = cls(
            offering=offering,
            side=side,
            quantity=quantity,
            type_=type_,
            price=price,
            time_in_force=time_in_force,
            expires_at=expires_at,
            accepted_terms_sha256=accepted_terms_sha256,
        )

        return order_create_request
