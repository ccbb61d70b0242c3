from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status_enum import OrderStatusEnum
from ..models.side_enum import SideEnum
from ..models.tax_treatment_enum import TaxTreatmentEnum
from ..models.time_in_force_enum import TimeInForceEnum
from ..models.type_enum import TypeEnum

if TYPE_CHECKING:
    from ..models.trade import Trade


T = TypeVar("T", bound="PlacedOrder")


@_attrs_define
class PlacedOrder:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            id (UUID):
            offering (UUID):
            side (SideEnum): * `buy` - Buy
                * `sell` - Sell
            type_ (TypeEnum): * `limit` - Limit
                * `market` - Market
            price (int | None): Per seat, minor units; none for market.
            quantity (int | None): Seats; empty: an unlimited ask.
            filled_quantity (int):
            remaining_quantity (int | None):
            cancelled_quantity (int):
            time_in_force (TimeInForceEnum): * `gtc` - Good till cancelled
                * `ioc` - Immediate or cancel
                * `fok` - Fill or kill
                * `gtd` - Good till date
            expires_at (datetime.datetime | None):
            status (OrderStatusEnum): * `open` - Open
                * `partially_filled` - Partially filled
                * `filled` - Filled
                * `cancelled` - Cancelled
                * `expired` - Expired
                * `rejected` - Rejected
            status_reason (str):
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
            trades (list[Trade]):
            amount_excl_tax (int | None): Buy orders: the sum of price x quantity over the trades; null if none.
            tax_rate (None | str): Buy orders: the consumption tax rate applied, e.g. "0.1000"; "0.0000" when the sale is
                exempt.
            tax_amount (int | None): Buy orders: the consumption tax of the trades.
            amount_incl_tax (int | None): Buy orders: what the trades' settlements charge in all.
            tax_treatment (None | TaxTreatmentEnum): Buy orders: standard, export, reverse_charge or out_of_scope (as the
                quote explains).
    """

    id: UUID
    offering: UUID
    side: SideEnum
    type_: TypeEnum
    price: int | None
    quantity: int | None
    filled_quantity: int
    remaining_quantity: int | None
    cancelled_quantity: int
    time_in_force: TimeInForceEnum
    expires_at: datetime.datetime | None
    status: OrderStatusEnum
    status_reason: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    trades: list[Trade]
    amount_excl_tax: int | None
    tax_rate: None | str
    tax_amount: int | None
    amount_incl_tax: int | None
    tax_treatment: None | TaxTreatmentEnum
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        offering = str(self.offering)

        side = self.side.value

        type_ = self.type_.value

        price: int | None
        price = self.price

        quantity: int | None
        quantity = self.quantity

        filled_quantity = self.filled_quantity

        remaining_quantity: int | None
        remaining_quantity = self.remaining_quantity

        cancelled_quantity = self.cancelled_quantity

        time_in_force = self.time_in_force.value

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        status = self.status.value

        status_reason = self.status_reason

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        trades = []
        for trades_item_data in self.trades:
            trades_item = trades_item_data.to_dict()
            trades.append(trades_item)

        amount_excl_tax: int | None
        amount_excl_tax = self.amount_excl_tax

        tax_rate: None | str
        tax_rate = self.tax_rate

        tax_amount: int | None
        tax_amount = self.tax_amount

        amount_incl_tax: int | None
        amount_incl_tax = self.amount_incl_tax

        tax_treatment: None | str
        if isinstance(self.tax_treatment, TaxTreatmentEnum):
            tax_treatment = self.tax_treatment.value
        else:
            tax_treatment = self.tax_treatment

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "offering": offering,
                "side": side,
                "type": type_,
                "price": price,
                "quantity": quantity,
                "filled_quantity": filled_quantity,
                "remaining_quantity": remaining_quantity,
                "cancelled_quantity": cancelled_quantity,
                "time_in_force": time_in_force,
                "expires_at": expires_at,
                "status": status,
                "status_reason": status_reason,
                "created_at": created_at,
                "updated_at": updated_at,
                "trades": trades,
                "amount_excl_tax": amount_excl_tax,
                "tax_rate": tax_rate,
                "tax_amount": tax_amount,
                "amount_incl_tax": amount_incl_tax,
                "tax_treatment": tax_treatment,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.trade import Trade  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        offering = UUID(d.pop("offering"))

        side = SideEnum(d.pop("side"))

        type_ = TypeEnum(d.pop("type"))

        def _parse_price(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        price = _parse_price(d.pop("price"))

        def _parse_quantity(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        quantity = _parse_quantity(d.pop("quantity"))

        filled_quantity = d.pop("filled_quantity")

        def _parse_remaining_quantity(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        remaining_quantity = _parse_remaining_quantity(d.pop("remaining_quantity"))

        cancelled_quantity = d.pop("cancelled_quantity")

        time_in_force = TimeInForceEnum(d.pop("time_in_force"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        status = OrderStatusEnum(d.pop("status"))

        status_reason = d.pop("status_reason")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        trades = []
        _trades = d.pop("trades")
        for trades_item_data in _trades:
            trades_item = Trade.from_dict(trades_item_data)

            trades.append(trades_item)

        def _parse_amount_excl_tax(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        amount_excl_tax = _parse_amount_excl_tax(d.pop("amount_excl_tax"))

        def _parse_tax_rate(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        tax_rate = _parse_tax_rate(d.pop("tax_rate"))

        def _parse_tax_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        tax_amount = _parse_tax_amount(d.pop("tax_amount"))

        def _parse_amount_incl_tax(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        amount_incl_tax = _parse_amount_incl_tax(d.pop("amount_incl_tax"))

        def _parse_tax_treatment(data: object) -> None | TaxTreatmentEnum:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tax_treatment_type_0 = TaxTreatmentEnum(data)

                return tax_treatment_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaxTreatmentEnum, data)

        tax_treatment = _parse_tax_treatment(d.pop("tax_treatment"))

        placed_order = cls(
            id=id,
            offering=offering,
            side=side,
            type_=type_,
            price=price,
            quantity=quantity,
            filled_quantity=filled_quantity,
            remaining_quantity=remaining_quantity,
            cancelled_quantity=cancelled_quantity,
            time_in_force=time_in_force,
            expires_at=expires_at,
            status=status,
            status_reason=status_reason,
            created_at=created_at,
            updated_at=updated_at,
            trades=trades,
            amount_excl_tax=amount_excl_tax,
            tax_rate=tax_rate,
            tax_amount=tax_amount,
            amount_incl_tax=amount_incl_tax,
            tax_treatment=tax_treatment,
        )

        placed_order.additional_properties = d
        return placed_order

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
