from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.events_enum import EventsEnum

T = TypeVar("T", bound="WebhookEndpointCreateRequest")


@_attrs_define
class WebhookEndpointCreateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        url (str): Public http(s) URL that receives the events.
        events (list[EventsEnum]): Event types to receive: trade.executed, contract.concluded, settlement.updated,
            entitlement.granted, entitlement.revoked, dataset.version_published, entitlement.extended, subscription.updated,
            subscription.period_charged, subscription.period_missed, offering.taken_down, data_request.answered,
            private_offer.received, private_offer.countered, private_offer.accepted, private_offer.declined,
            private_offer.expired, auction.closed.
    """

    url: str
    events: list[EventsEnum]

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.value
            events.append(events_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
                "events": events,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url")

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = EventsEnum(events_item_data)

            events.append(events_item)

        webhook_endpoint_create_request = cls(
            url=url,
            events=events,
        )

        return webhook_endpoint_create_request
