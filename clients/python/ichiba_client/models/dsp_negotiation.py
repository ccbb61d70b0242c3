from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.dsp_negotiation_state_enum import DspNegotiationStateEnum
from ..models.dsp_party_enum import DspPartyEnum
from ..models.dsp_side_enum import DspSideEnum

if TYPE_CHECKING:
    from ..models.dsp_consumer import DspConsumer
    from ..models.dsp_transfer_summary import DspTransferSummary


T = TypeVar("T", bound="DspNegotiation")


@_attrs_define
class DspNegotiation:
    """A contract negotiation: a request for one of the DSP catalog's offers, its states, and the contract the
    agreement is.

        Attributes:
            id (UUID):
            provider_pid (str): urn:uuid:<id>, Ichiba's process id.
            consumer_pid (str): The consumer connector's process id.
            side (DspSideEnum):
            state (DspNegotiationStateEnum): * `REQUESTED` - Requested
                * `OFFERED` - Offered
                * `ACCEPTED` - Accepted
                * `AGREED` - Agreed
                * `VERIFIED` - Verified
                * `FINALIZED` - Finalized
                * `TERMINATED` - Terminated
            consumer (DspConsumer): DRF's ``Serializer`` with the declared fields copied cheaply per instance (see
                ``_SHALLOW_COPIED``).

                Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
                it shares with the declaration (``field.validators.append`` would reach every instance).
            seller (UUID):
            offering (UUID):
            dataset (UUID):
            callback_address (None | str): The consumer connector's; consumer only.
            offer_by (DspPartyEnum): * `consumer` - Consumer
                * `provider` - Provider
                * `system` - System
            price (int | None): The latest offer's price per seat, minor units (null: none).
            currency (str): Empty when the offer states no price.
            private_offer (None | UUID): A counter-offer's private offer.
            trade (None | UUID):
            contract (None | UUID): The concluded contract: the agreement.
            termination_code (str):
            termination_reason (str):
            transfers (list[DspTransferSummary]):
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
    """

    id: UUID
    provider_pid: str
    consumer_pid: str
    side: DspSideEnum
    state: DspNegotiationStateEnum
    consumer: DspConsumer
    seller: UUID
    offering: UUID
    dataset: UUID
    callback_address: None | str
    offer_by: DspPartyEnum
    price: int | None
    currency: str
    private_offer: None | UUID
    trade: None | UUID
    contract: None | UUID
    termination_code: str
    termination_reason: str
    transfers: list[DspTransferSummary]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        provider_pid = self.provider_pid

        consumer_pid = self.consumer_pid

        side = self.side.value

        state = self.state.value

        consumer = self.consumer.to_dict()

        seller = str(self.seller)

        offering = str(self.offering)

        dataset = str(self.dataset)

        callback_address: None | str
        callback_address = self.callback_address

        offer_by = self.offer_by.value

        price: int | None
        price = self.price

        currency = self.currency

        private_offer: None | str
        if isinstance(self.private_offer, UUID):
            private_offer = str(self.private_offer)
        else:
            private_offer = self.private_offer

        trade: None | str
        if isinstance(self.trade, UUID):
            trade = str(self.trade)
        else:
            trade = self.trade

        contract: None | str
        if isinstance(self.contract, UUID):
            contract = str(self.contract)
        else:
            contract = self.contract

        termination_code = self.termination_code

        termination_reason = self.termination_reason

        transfers = []
        for transfers_item_data in self.transfers:
            transfers_item = transfers_item_data.to_dict()
            transfers.append(transfers_item)

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
                "consumer": consumer,
                "seller": seller,
                "offering": offering,
                "dataset": dataset,
                "callback_address": callback_address,
                "offer_by": offer_by,
                "price": price,
                "currency": currency,
                "private_offer": private_offer,
                "trade": trade,
                "contract": contract,
                "termination_code": termination_code,
                "termination_reason": termination_reason,
                "transfers": transfers,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dsp_consumer import DspConsumer  # noqa: PLC0415
        from ..models.dsp_transfer_summary import DspTransferSummary  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        provider_pid = d.pop("provider_pid")

        consumer_pid = d.pop("consumer_pid")

        side = DspSideEnum(d.pop("side"))

        state = DspNegotiationStateEnum(d.pop("state"))

        consumer = DspConsumer.from_dict(d.pop("consumer"))

        seller = UUID(d.pop("seller"))

        offering = UUID(d.pop("offering"))

        dataset = UUID(d.pop("dataset"))

        def _parse_callback_address(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        callback_address = _parse_callback_address(d.pop("callback_address"))

        offer_by = DspPartyEnum(d.pop("offer_by"))

        def _parse_price(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        price = _parse_price(d.pop("price"))

        currency = d.pop("currency")

        def _parse_private_offer(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                private_offer_type_0 = UUID(data)

                return private_offer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        private_offer = _parse_private_offer(d.pop("private_offer"))

        def _parse_trade(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                trade_type_0 = UUID(data)

                return trade_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        trade = _parse_trade(d.pop("trade"))

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

        termination_code = d.pop("termination_code")

        termination_reason = d.pop("termination_reason")

        transfers = []
        _transfers = d.pop("transfers")
        for transfers_item_data in _transfers:
            transfers_item = DspTransferSummary.from_dict(transfers_item_data)

            transfers.append(transfers_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        dsp_negotiation = cls(
            id=id,
            provider_pid=provider_pid,
            consumer_pid=consumer_pid,
            side=side,
            state=state,
            consumer=consumer,
            seller=seller,
            offering=offering,
            dataset=dataset,
            callback_address=callback_address,
            offer_by=offer_by,
            price=price,
            currency=currency,
            private_offer=private_offer,
            trade=trade,
            contract=contract,
            termination_code=termination_code,
            termination_reason=termination_reason,
            transfers=transfers,
            created_at=created_at,
            updated_at=updated_at,
        )

        dsp_negotiation.additional_properties = d
        return dsp_negotiation

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
