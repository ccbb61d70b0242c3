from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.settlement_status_enum import SettlementStatusEnum

if TYPE_CHECKING:
    from ..models.settlement_event import SettlementEvent


T = TypeVar("T", bound="Settlement")


@_attrs_define
class Settlement:
    """
    Attributes:
        id (UUID):
        trade (UUID):
        contract (UUID):
        period (int):  Default: 1.
        status (SettlementStatusEnum): * `pending` - Awaiting payment
            * `authorized` - Payment authorised
            * `captured` - Paid
            * `failed` - Payment failed
            * `voided` - Cancelled
            * `refunded` - Refunded
        amount (int): What the buyer pays, consumption tax included, in minor units.
        currency (str):
        amount_excl_tax (int): The price × quantity, without consumption tax.
        tax_treatment (str): How the sale is taxed: standard (both parties in Japan), export (the buyer abroad: zero-
            rated), reverse_charge (the seller abroad: the buyer accounts for the tax), out_of_scope (both abroad); empty
            for a settlement opened before the market charged consumption tax.
        tax_rate (str):
        tax_amount (int):
        amount_incl_tax (int): What the buyer pays, consumption tax included (= amount).
        fee_rate (str):
        platform_fee (int):
        platform_fee_tax (int):
        seller_proceeds (int):
        failure_code (str):
        failure_message (str):
        refund_reason (str):
        authorized_at (datetime.datetime | None):
        capture_due_at (datetime.datetime | None):
        captured_at (datetime.datetime | None):
        created_at (datetime.datetime):
        events (list[SettlementEvent]):
    """

    id: UUID
    trade: UUID
    contract: UUID
    status: SettlementStatusEnum
    amount: int
    currency: str
    amount_excl_tax: int
    tax_treatment: str
    tax_rate: str
    tax_amount: int
    amount_incl_tax: int
    fee_rate: str
    platform_fee: int
    platform_fee_tax: int
    seller_proceeds: int
    failure_code: str
    failure_message: str
    refund_reason: str
    authorized_at: datetime.datetime | None
    capture_due_at: datetime.datetime | None
    captured_at: datetime.datetime | None
    created_at: datetime.datetime
    events: list[SettlementEvent]
    period: int = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        trade = str(self.trade)

        contract = str(self.contract)

        period = self.period

        status = self.status.value

        amount = self.amount

        currency = self.currency

        amount_excl_tax = self.amount_excl_tax

        tax_treatment = self.tax_treatment

        tax_rate = self.tax_rate

        tax_amount = self.tax_amount

        amount_incl_tax = self.amount_incl_tax

        fee_rate = self.fee_rate

        platform_fee = self.platform_fee

        platform_fee_tax = self.platform_fee_tax

        seller_proceeds = self.seller_proceeds

        failure_code = self.failure_code

        failure_message = self.failure_message

        refund_reason = self.refund_reason

        authorized_at: None | str
        if isinstance(self.authorized_at, datetime.datetime):
            authorized_at = self.authorized_at.isoformat()
        else:
            authorized_at = self.authorized_at

        capture_due_at: None | str
        if isinstance(self.capture_due_at, datetime.datetime):
            capture_due_at = self.capture_due_at.isoformat()
        else:
            capture_due_at = self.capture_due_at

        captured_at: None | str
        if isinstance(self.captured_at, datetime.datetime):
            captured_at = self.captured_at.isoformat()
        else:
            captured_at = self.captured_at

        created_at = self.created_at.isoformat()

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "trade": trade,
                "contract": contract,
                "period": period,
                "status": status,
                "amount": amount,
                "currency": currency,
                "amount_excl_tax": amount_excl_tax,
                "tax_treatment": tax_treatment,
                "tax_rate": tax_rate,
                "tax_amount": tax_amount,
                "amount_incl_tax": amount_incl_tax,
                "fee_rate": fee_rate,
                "platform_fee": platform_fee,
                "platform_fee_tax": platform_fee_tax,
                "seller_proceeds": seller_proceeds,
                "failure_code": failure_code,
                "failure_message": failure_message,
                "refund_reason": refund_reason,
                "authorized_at": authorized_at,
                "capture_due_at": capture_due_at,
                "captured_at": captured_at,
                "created_at": created_at,
                "events": events,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.settlement_event import SettlementEvent  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        trade = UUID(d.pop("trade"))

        contract = UUID(d.pop("contract"))

        period = d.pop("period")

        status = SettlementStatusEnum(d.pop("status"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        amount_excl_tax = d.pop("amount_excl_tax")

        tax_treatment = d.pop("tax_treatment")

        tax_rate = d.pop("tax_rate")

        tax_amount = d.pop("tax_amount")

        amount_incl_tax = d.pop("amount_incl_tax")

        fee_rate = d.pop("fee_rate")

        platform_fee = d.pop("platform_fee")

        platform_fee_tax = d.pop("platform_fee_tax")

        seller_proceeds = d.pop("seller_proceeds")

        failure_code = d.pop("failure_code")

        failure_message = d.pop("failure_message")

        refund_reason = d.pop("refund_reason")

        def _parse_authorized_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                authorized_at_type_0 = datetime.datetime.fromisoformat(data)

                return authorized_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        authorized_at = _parse_authorized_at(d.pop("authorized_at"))

        def _parse_capture_due_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                capture_due_at_type_0 = datetime.datetime.fromisoformat(data)

                return capture_due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        capture_due_at = _parse_capture_due_at(d.pop("capture_due_at"))

        def _parse_captured_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                captured_at_type_0 = datetime.datetime.fromisoformat(data)

                return captured_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        captured_at = _parse_captured_at(d.pop("captured_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = SettlementEvent.from_dict(events_item_data)

            events.append(events_item)

        settlement = cls(
            id=id,
            trade=trade,
            contract=contract,
            period=period,
            status=status,
            amount=amount,
            currency=currency,
            amount_excl_tax=amount_excl_tax,
            tax_treatment=tax_treatment,
            tax_rate=tax_rate,
            tax_amount=tax_amount,
            amount_incl_tax=amount_incl_tax,
            fee_rate=fee_rate,
            platform_fee=platform_fee,
            platform_fee_tax=platform_fee_tax,
            seller_proceeds=seller_proceeds,
            failure_code=failure_code,
            failure_message=failure_message,
            refund_reason=refund_reason,
            authorized_at=authorized_at,
            capture_due_at=capture_due_at,
            captured_at=captured_at,
            created_at=created_at,
            events=events,
        )

        settlement.additional_properties = d
        return settlement

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
