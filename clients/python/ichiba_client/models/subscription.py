from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.blank_enum import BlankEnum
from ..models.end_reason_enum import EndReasonEnum
from ..models.subscription_status_enum import SubscriptionStatusEnum

if TYPE_CHECKING:
    from ..models.subscription_period import SubscriptionPeriod


T = TypeVar("T", bound="Subscription")


@_attrs_define
class Subscription:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            id (UUID):
            contract (UUID):
            offering (UUID):
            dataset (UUID):
            buyer (UUID):
            seller (UUID):
            entitlement (None | UUID): The buyer's access (once granted).
            status (SubscriptionStatusEnum): * `active` - Active
                * `cancelling` - Ends with the current period
                * `past_due` - Payment overdue
                * `ended` - Ended
            quantity (int): Seats.
            price (int): Per seat and period, in minor units.
            amount (int): Per period: price x quantity.
            currency (str):
            period_days (int):
            term_periods (int):
            min_versions_per_period (int):
            min_messages_per_period (int | None):
            stream (bool):
            starts_at (datetime.datetime):
            ends_at (datetime.datetime): The end of the term.
            cancelled_at (datetime.datetime | None):
            past_due_since (datetime.datetime | None):
            ended_at (datetime.datetime | None):
            end_reason (BlankEnum | EndReasonEnum): Empty unless ended.

                * `` -
                * `term` - Its term ended
                * `cancelled` - Cancelled by the buyer
                * `unpaid` - A period was not paid within the grace period
                * `payment_failed` - The first payment failed
                * `undeliverable` - The data could not be delivered
                * `refunded` - A payment was refunded
                * `revoked` - Access was revoked
                * `released` - Given up by the buyer before its data was delivered
            periods (list[SubscriptionPeriod]):
            created_at (datetime.datetime):
    """

    id: UUID
    contract: UUID
    offering: UUID
    dataset: UUID
    buyer: UUID
    seller: UUID
    entitlement: None | UUID
    status: SubscriptionStatusEnum
    quantity: int
    price: int
    amount: int
    currency: str
    period_days: int
    term_periods: int
    min_versions_per_period: int
    min_messages_per_period: int | None
    stream: bool
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    cancelled_at: datetime.datetime | None
    past_due_since: datetime.datetime | None
    ended_at: datetime.datetime | None
    end_reason: BlankEnum | EndReasonEnum
    periods: list[SubscriptionPeriod]
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        contract = str(self.contract)

        offering = str(self.offering)

        dataset = str(self.dataset)

        buyer = str(self.buyer)

        seller = str(self.seller)

        entitlement: None | str
        if isinstance(self.entitlement, UUID):
            entitlement = str(self.entitlement)
        else:
            entitlement = self.entitlement

        status = self.status.value

        quantity = self.quantity

        price = self.price

        amount = self.amount

        currency = self.currency

        period_days = self.period_days

        term_periods = self.term_periods

        min_versions_per_period = self.min_versions_per_period

        min_messages_per_period: int | None
        min_messages_per_period = self.min_messages_per_period

        stream = self.stream

        starts_at = self.starts_at.isoformat()

        ends_at = self.ends_at.isoformat()

        cancelled_at: None | str
        if isinstance(self.cancelled_at, datetime.datetime):
            cancelled_at = self.cancelled_at.isoformat()
        else:
            cancelled_at = self.cancelled_at

        past_due_since: None | str
        if isinstance(self.past_due_since, datetime.datetime):
            past_due_since = self.past_due_since.isoformat()
        else:
            past_due_since = self.past_due_since

        ended_at: None | str
        if isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        end_reason: str
        if isinstance(self.end_reason, EndReasonEnum):
            end_reason = self.end_reason.value
        else:
            end_reason = self.end_reason.value

        periods = []
        for periods_item_data in self.periods:
            periods_item = periods_item_data.to_dict()
            periods.append(periods_item)

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "contract": contract,
                "offering": offering,
                "dataset": dataset,
                "buyer": buyer,
                "seller": seller,
                "entitlement": entitlement,
                "status": status,
                "quantity": quantity,
                "price": price,
                "amount": amount,
                "currency": currency,
                "period_days": period_days,
                "term_periods": term_periods,
                "min_versions_per_period": min_versions_per_period,
                "min_messages_per_period": min_messages_per_period,
                "stream": stream,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "cancelled_at": cancelled_at,
                "past_due_since": past_due_since,
                "ended_at": ended_at,
                "end_reason": end_reason,
                "periods": periods,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.subscription_period import SubscriptionPeriod  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        contract = UUID(d.pop("contract"))

        offering = UUID(d.pop("offering"))

        dataset = UUID(d.pop("dataset"))

        buyer = UUID(d.pop("buyer"))

        seller = UUID(d.pop("seller"))

        def _parse_entitlement(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                entitlement_type_0 = UUID(data)

                return entitlement_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        entitlement = _parse_entitlement(d.pop("entitlement"))

        status = SubscriptionStatusEnum(d.pop("status"))

        quantity = d.pop("quantity")

        price = d.pop("price")

        amount = d.pop("amount")

        currency = d.pop("currency")

        period_days = d.pop("period_days")

        term_periods = d.pop("term_periods")

        min_versions_per_period = d.pop("min_versions_per_period")

        def _parse_min_messages_per_period(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        min_messages_per_period = _parse_min_messages_per_period(d.pop("min_messages_per_period"))

        stream = d.pop("stream")

        starts_at = datetime.datetime.fromisoformat(d.pop("starts_at"))

        ends_at = datetime.datetime.fromisoformat(d.pop("ends_at"))

        def _parse_cancelled_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cancelled_at_type_0 = datetime.datetime.fromisoformat(data)

                return cancelled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        cancelled_at = _parse_cancelled_at(d.pop("cancelled_at"))

        def _parse_past_due_since(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                past_due_since_type_0 = datetime.datetime.fromisoformat(data)

                return past_due_since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        past_due_since = _parse_past_due_since(d.pop("past_due_since"))

        def _parse_ended_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_at_type_0 = datetime.datetime.fromisoformat(data)

                return ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ended_at = _parse_ended_at(d.pop("ended_at"))

        def _parse_end_reason(data: object) -> BlankEnum | EndReasonEnum:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_reason_type_0 = EndReasonEnum(data)

                return end_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            end_reason_type_1 = BlankEnum(data)

            return end_reason_type_1

        end_reason = _parse_end_reason(d.pop("end_reason"))

        periods = []
        _periods = d.pop("periods")
        for periods_item_data in _periods:
            periods_item = SubscriptionPeriod.from_dict(periods_item_data)

            periods.append(periods_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        subscription = cls(
            id=id,
            contract=contract,
            offering=offering,
            dataset=dataset,
            buyer=buyer,
            seller=seller,
            entitlement=entitlement,
            status=status,
            quantity=quantity,
            price=price,
            amount=amount,
            currency=currency,
            period_days=period_days,
            term_periods=term_periods,
            min_versions_per_period=min_versions_per_period,
            min_messages_per_period=min_messages_per_period,
            stream=stream,
            starts_at=starts_at,
            ends_at=ends_at,
            cancelled_at=cancelled_at,
            past_due_since=past_due_since,
            ended_at=ended_at,
            end_reason=end_reason,
            periods=periods,
            created_at=created_at,
        )

        subscription.additional_properties = d
        return subscription

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
