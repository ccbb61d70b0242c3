from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.dsp_side_enum import DspSideEnum
from ..models.dsp_transfer_state_enum import DspTransferStateEnum

T = TypeVar("T", bound="DspTransfer")


@_attrs_define
class DspTransfer:
    """A transfer process (docs/dataspace.md). Never its download token: the consumer's connector received that in
    the TransferStartMessage, and it is the credential to the data.

        Attributes:
            id (UUID):
            provider_pid (str): urn:uuid:<id>, Ichiba's process id.
            consumer_pid (str): The consumer connector's process id.
            side (DspSideEnum):
            state (DspTransferStateEnum): * `REQUESTED` - Requested
                * `STARTED` - Started
                * `SUSPENDED` - Suspended
                * `COMPLETED` - Completed
                * `TERMINATED` - Terminated
            format_ (str): HttpData-PULL.
            negotiation (UUID):
            agreement_id (str): The agreement's @id, urn:ichiba:contract:<uuid>: the agreementId a TransferRequestMessage
                names.
            contract (None | UUID):
            entitlement (None | UUID): The buyer's access it draws on; consumer only.
            callback_address (None | str): The consumer connector's; consumer only.
            termination_code (str):
            termination_reason (str):
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
    """

    id: UUID
    provider_pid: str
    consumer_pid: str
    side: DspSideEnum
    state: DspTransferStateEnum
    format_: str
    negotiation: UUID
    agreement_id: str
    contract: None | UUID
    entitlement: None | UUID
    callback_address: None | str
    termination_code: str
    termination_reason: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        provider_pid = self.provider_pid

        consumer_pid = self.consumer_pid

        side = self.side.value

        state = self.state.value

        format_ = self.format_

        negotiation = str(self.negotiation)

        agreement_id = self.agreement_id

        contract: None | str
        if isinstance(self.contract, UUID):
            contract = str(self.contract)
        else:
            contract = self.contract

        entitlement: None | str
        if isinstance(self.entitlement, UUID):
            entitlement = str(self.entitlement)
        else:
            entitlement = self.entitlement

        callback_address: None | str
        callback_address = self.callback_address

        termination_code = self.termination_code

        termination_reason = self.termination_reason

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "provider_pid": provider_pid,
                "consumer_pid": consumer_pid,
                "side": side,
                "state": state,
                "format": format_,
                "negotiation": negotiation,
                "agreement_id": agreement_id,
                "contract": contract,
                "entitlement": entitlement,
                "callback_address": callback_address,
                "termination_code": termination_code,
                "termination_reason": termination_reason,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        provider_pid = d.pop("provider_pid")

        consumer_pid = d.pop("consumer_pid")

        side = DspSideEnum(d.pop("side"))

        state = DspTransferStateEnum(d.pop("state"))

        format_ = d.pop("format")

        negotiation = UUID(d.pop("negotiation"))

        agreement_id = d.pop("agreement_id")

        def _parse_contract(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                contract_type_0 = UUID(data)

                return contract_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        contract = _parse_contract(d.pop("contract"))

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

        def _parse_callback_address(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        callback_address = _parse_callback_address(d.pop("callback_address"))

        termination_code = d.pop("termination_code")

        termination_reason = d.pop("termination_reason")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        dsp_transfer = cls(
            id=id,
            provider_pid=provider_pid,
            consumer_pid=consumer_pid,
            side=side,
            state=state,
            format_=format_,
            negotiation=negotiation,
            agreement_id=agreement_id,
            contract=contract,
            entitlement=entitlement,
            callback_address=callback_address,
            termination_code=termination_code,
            termination_reason=termination_reason,
            created_at=created_at,
            updated_at=updated_at,
        )

        dsp_transfer.additional_properties = d
        return dsp_transfer

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
