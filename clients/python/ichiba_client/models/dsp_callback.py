from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.webhook_delivery_status_enum import WebhookDeliveryStatusEnum

T = TypeVar("T", bound="DspCallback")


@_attrs_define
class DspCallback:
    """A message Ichiba sent (or is sending) to the consumer's connector, and how its delivery went; never its
    body.

        Attributes:
            message_type (str):
            status (WebhookDeliveryStatusEnum): * `pending` - Pending
                * `delivered` - Delivered
                * `failed` - Failed
            attempts (int):
            last_status_code (int | None): The HTTP status of the latest attempt, if one was answered.
            url (None | str): Where it is posted (below the callback address); consumer only.
            last_error (None | str): Why the latest attempt failed (it may quote the consumer's server); consumer only, null
                to the seller.
            created_at (datetime.datetime):
            delivered_at (datetime.datetime | None):
    """

    message_type: str
    status: WebhookDeliveryStatusEnum
    attempts: int
    last_status_code: int | None
    url: None | str
    last_error: None | str
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message_type = self.message_type

        status = self.status.value

        attempts = self.attempts

        last_status_code: int | None
        last_status_code = self.last_status_code

        url: None | str
        url = self.url

        last_error: None | str
        last_error = self.last_error

        created_at = self.created_at.isoformat()

        delivered_at: None | str
        if isinstance(self.delivered_at, datetime.datetime):
            delivered_at = self.delivered_at.isoformat()
        else:
            delivered_at = self.delivered_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message_type": message_type,
                "status": status,
                "attempts": attempts,
                "last_status_code": last_status_code,
                "url": url,
                "last_error": last_error,
                "created_at": created_at,
                "delivered_at": delivered_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message_type = d.pop("message_type")

        status = WebhookDeliveryStatusEnum(d.pop("status"))

        attempts = d.pop("attempts")

        def _parse_last_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_status_code = _parse_last_status_code(d.pop("last_status_code"))

        def _parse_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        url = _parse_url(d.pop("url"))

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_delivered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivered_at_type_0 = datetime.datetime.fromisoformat(data)

                return delivered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        delivered_at = _parse_delivered_at(d.pop("delivered_at"))

        dsp_callback = cls(
            message_type=message_type,
            status=status,
            attempts=attempts,
            last_status_code=last_status_code,
            url=url,
            last_error=last_error,
            created_at=created_at,
            delivered_at=delivered_at,
        )

        dsp_callback.additional_properties = d
        return dsp_callback

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
