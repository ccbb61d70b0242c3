from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.dsp_party_enum import DspPartyEnum

T = TypeVar("T", bound="DspProcessEvent")


@_attrs_define
class DspProcessEvent:
    """One change of a process's state (or a message that changed none), oldest first.

    Attributes:
        from_state (str): Empty for the process's first event.
        to_state (str):
        by (DspPartyEnum): * `consumer` - Consumer
            * `provider` - Provider
            * `system` - System
        message_type (str): The DSP message that caused it, if one did.
        reason (str):
        created_at (datetime.datetime):
    """

    from_state: str
    to_state: str
    by: DspPartyEnum
    message_type: str
    reason: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from_state = self.from_state

        to_state = self.to_state

        by = self.by.value

        message_type = self.message_type

        reason = self.reason

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "from_state": from_state,
                "to_state": to_state,
                "by": by,
                "message_type": message_type,
                "reason": reason,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        from_state = d.pop("from_state")

        to_state = d.pop("to_state")

        by = DspPartyEnum(d.pop("by"))

        message_type = d.pop("message_type")

        reason = d.pop("reason")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        dsp_process_event = cls(
            from_state=from_state,
            to_state=to_state,
            by=by,
            message_type=message_type,
            reason=reason,
            created_at=created_at,
        )

        dsp_process_event.additional_properties = d
        return dsp_process_event

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
