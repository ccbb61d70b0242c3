from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.outcome_enum import OutcomeEnum

T = TypeVar("T", bound="SubscriptionPeriod")


@_attrs_define
class SubscriptionPeriod:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            number (int):
            starts_at (datetime.datetime):
            ends_at (datetime.datetime):
            versions_delivered (int | None): New versions published during it; null until it closes.
            messages_delivered (int | None): Stream messages counted during it (message commitments only).
            outcome (OutcomeEnum): * `open` - Open
                * `charged` - Charged
                * `missed` - Missed: not delivered, not charged
                * `unpaid` - Unpaid
            settlement (None | UUID): The payment for it, when there is one.
            closed_at (datetime.datetime | None):
    """

    number: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    versions_delivered: int | None
    messages_delivered: int | None
    outcome: OutcomeEnum
    settlement: None | UUID
    closed_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        starts_at = self.starts_at.isoformat()

        ends_at = self.ends_at.isoformat()

        versions_delivered: int | None
        versions_delivered = self.versions_delivered

        messages_delivered: int | None
        messages_delivered = self.messages_delivered

        outcome = self.outcome.value

        settlement: None | str
        if isinstance(self.settlement, UUID):
            settlement = str(self.settlement)
        else:
            settlement = self.settlement

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "versions_delivered": versions_delivered,
                "messages_delivered": messages_delivered,
                "outcome": outcome,
                "settlement": settlement,
                "closed_at": closed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        number = d.pop("number")

        starts_at = datetime.datetime.fromisoformat(d.pop("starts_at"))

        ends_at = datetime.datetime.fromisoformat(d.pop("ends_at"))

        def _parse_versions_delivered(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        versions_delivered = _parse_versions_delivered(d.pop("versions_delivered"))

        def _parse_messages_delivered(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        messages_delivered = _parse_messages_delivered(d.pop("messages_delivered"))

        outcome = OutcomeEnum(d.pop("outcome"))

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

        def _parse_closed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                closed_at_type_0 = datetime.datetime.fromisoformat(data)

                return closed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        closed_at = _parse_closed_at(d.pop("closed_at"))

        subscription_period = cls(
            number=number,
            starts_at=starts_at,
            ends_at=ends_at,
            versions_delivered=versions_delivered,
            messages_delivered=messages_delivered,
            outcome=outcome,
            settlement=settlement,
            closed_at=closed_at,
        )

        subscription_period.additional_properties = d
        return subscription_period

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
