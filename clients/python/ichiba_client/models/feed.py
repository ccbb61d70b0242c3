from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.delivered_period import DeliveredPeriod


T = TypeVar("T", bound="Feed")


@_attrs_define
class Feed:
    """
    Attributes:
        offering (UUID):
        dataset (UUID):
        period_days (int):
        min_versions_per_period (int):
        periods_closed (int):
        periods_met (int): Closed periods that delivered at least the commitment.
        periods (list[DeliveredPeriod]): The latest periods, most recent first.
    """

    offering: UUID
    dataset: UUID
    period_days: int
    min_versions_per_period: int
    periods_closed: int
    periods_met: int
    periods: list[DeliveredPeriod]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        offering = str(self.offering)

        dataset = str(self.dataset)

        period_days = self.period_days

        min_versions_per_period = self.min_versions_per_period

        periods_closed = self.periods_closed

        periods_met = self.periods_met

        periods = []
        for periods_item_data in self.periods:
            periods_item = periods_item_data.to_dict()
            periods.append(periods_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "offering": offering,
                "dataset": dataset,
                "period_days": period_days,
                "min_versions_per_period": min_versions_per_period,
                "periods_closed": periods_closed,
                "periods_met": periods_met,
                "periods": periods,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.delivered_period import DeliveredPeriod  # noqa: PLC0415

        d = dict(src_dict)
        offering = UUID(d.pop("offering"))

        dataset = UUID(d.pop("dataset"))

        period_days = d.pop("period_days")

        min_versions_per_period = d.pop("min_versions_per_period")

        periods_closed = d.pop("periods_closed")

        periods_met = d.pop("periods_met")

        periods = []
        _periods = d.pop("periods")
        for periods_item_data in _periods:
            periods_item = DeliveredPeriod.from_dict(periods_item_data)

            periods.append(periods_item)

        feed = cls(
            offering=offering,
            dataset=dataset,
            period_days=period_days,
            min_versions_per_period=min_versions_per_period,
            periods_closed=periods_closed,
            periods_met=periods_met,
            periods=periods,
        )

        feed.additional_properties = d
        return feed

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
