from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.dsp_transfer_state_enum import DspTransferStateEnum

T = TypeVar("T", bound="DspTransferSummary")


@_attrs_define
class DspTransferSummary:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            id (UUID):
            provider_pid (str):
            state (DspTransferStateEnum): * `REQUESTED` - Requested
                * `STARTED` - Started
                * `SUSPENDED` - Suspended
                * `COMPLETED` - Completed
                * `TERMINATED` - Terminated
    """

    id: UUID
    provider_pid: str
    state: DspTransferStateEnum
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        provider_pid = self.provider_pid

        state = self.state.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "provider_pid": provider_pid,
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        provider_pid = d.pop("provider_pid")

        state = DspTransferStateEnum(d.pop("state"))

        dsp_transfer_summary = cls(
            id=id,
            provider_pid=provider_pid,
            state=state,
        )

        dsp_transfer_summary.additional_properties = d
        return dsp_transfer_summary

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
