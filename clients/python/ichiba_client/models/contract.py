from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.channel_enum import ChannelEnum
from ..models.contract_status_enum import ContractStatusEnum

if TYPE_CHECKING:
    from ..models.acceptance import Acceptance
    from ..models.contract_buyer import ContractBuyer
    from ..models.contract_event import ContractEvent
    from ..models.contract_seller import ContractSeller
    from ..models.negotiation_revision import NegotiationRevision


T = TypeVar("T", bound="Contract")


@_attrs_define
class Contract:
    """
    Attributes:
        id (UUID):
        template (str):
        contract_type (str):
        seller (ContractSeller):
        buyer (ContractBuyer):
        dataset (UUID):
        dataset_version (int):
        offering (UUID):
        terms (Any):
        terms_sha256 (str):
        document_sha256 (str): SHA-256 of the Japanese (governing) document.
        document_en_sha256 (str):
        price (int): Per seat, in minor units of the currency.
        quantity (int):
        amount (int): price × quantity, in minor units.
        currency (str):
        status (ContractStatusEnum): * `concluded` - Concluded
            * `active` - Active
            * `expired` - Expired
            * `terminated` - Terminated
            * `void` - Void
        valid_from (datetime.datetime):
        valid_until (datetime.datetime):
        concluded_at (datetime.datetime):
        channel (ChannelEnum): * `book` - book
            * `private` - private
            * `auction` - auction
        negotiation (list[NegotiationRevision]): A private offer's revisions, oldest first; the last is the agreed one.
        acceptances (list[Acceptance]):
        events (list[ContractEvent]):
    """

    id: UUID
    template: str
    contract_type: str
    seller: ContractSeller
    buyer: ContractBuyer
    dataset: UUID
    dataset_version: int
    offering: UUID
    terms: Any
    terms_sha256: str
    document_sha256: str
    document_en_sha256: str
    price: int
    quantity: int
    amount: int
    currency: str
    status: ContractStatusEnum
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    concluded_at: datetime.datetime
    channel: ChannelEnum
    negotiation: list[NegotiationRevision]
    acceptances: list[Acceptance]
    events: list[ContractEvent]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        template = self.template

        contract_type = self.contract_type

        seller = self.seller.to_dict()

        buyer = self.buyer.to_dict()

        dataset = str(self.dataset)

        dataset_version = self.dataset_version

        offering = str(self.offering)

        terms = self.terms

        terms_sha256 = self.terms_sha256

        document_sha256 = self.document_sha256

        document_en_sha256 = self.document_en_sha256

        price = self.price

        quantity = self.quantity

        amount = self.amount

        currency = self.currency

        status = self.status.value

        valid_from = self.valid_from.isoformat()

        valid_until = self.valid_until.isoformat()

        concluded_at = self.concluded_at.isoformat()

        channel = self.channel.value

        negotiation = []
        for negotiation_item_data in self.negotiation:
            negotiation_item = negotiation_item_data.to_dict()
            negotiation.append(negotiation_item)

        acceptances = []
        for acceptances_item_data in self.acceptances:
            acceptances_item = acceptances_item_data.to_dict()
            acceptances.append(acceptances_item)

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "template": template,
                "contract_type": contract_type,
                "seller": seller,
                "buyer": buyer,
                "dataset": dataset,
                "dataset_version": dataset_version,
                "offering": offering,
                "terms": terms,
                "terms_sha256": terms_sha256,
                "document_sha256": document_sha256,
                "document_en_sha256": document_en_sha256,
                "price": price,
                "quantity": quantity,
                "amount": amount,
                "currency": currency,
                "status": status,
                "valid_from": valid_from,
                "valid_until": valid_until,
                "concluded_at": concluded_at,
                "channel": channel,
                "negotiation": negotiation,
                "acceptances": acceptances,
                "events": events,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.acceptance import Acceptance  # noqa: PLC0415
        from ..models.contract_buyer import ContractBuyer  # noqa: PLC0415
        from ..models.contract_event import ContractEvent  # noqa: PLC0415
        from ..models.contract_seller import ContractSeller  # noqa: PLC0415
        from ..models.negotiation_revision import NegotiationRevision  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        template = d.pop("template")

        contract_type = d.pop("contract_type")

        seller = ContractSeller.from_dict(d.pop("seller"))

        buyer = ContractBuyer.from_dict(d.pop("buyer"))

        dataset = UUID(d.pop("dataset"))

        dataset_version = d.pop("dataset_version")

        offering = UUID(d.pop("offering"))

        terms = d.pop("terms")

        terms_sha256 = d.pop("terms_sha256")

        document_sha256 = d.pop("document_sha256")

        document_en_sha256 = d.pop("document_en_sha256")

        price = d.pop("price")

        quantity = d.pop("quantity")

        amount = d.pop("amount")

        currency = d.pop("currency")

        status = ContractStatusEnum(d.pop("status"))

        valid_from = datetime.datetime.fromisoformat(d.pop("valid_from"))

        valid_until = datetime.datetime.fromisoformat(d.pop("valid_until"))

        concluded_at = datetime.datetime.fromisoformat(d.pop("concluded_at"))

        channel = ChannelEnum(d.pop("channel"))

        negotiation = []
        _negotiation = d.pop("negotiation")
        for negotiation_item_data in _negotiation:
            negotiation_item = NegotiationRevision.from_dict(negotiation_item_data)

            negotiation.append(negotiation_item)

        acceptances = []
        _acceptances = d.pop("acceptances")
        for acceptances_item_data in _acceptances:
            acceptances_item = Acceptance.from_dict(acceptances_item_data)

            acceptances.append(acceptances_item)

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = ContractEvent.from_dict(events_item_data)

            events.append(events_item)

        contract = cls(
            id=id,
            template=template,
            contract_type=contract_type,
            seller=seller,
            buyer=buyer,
            dataset=dataset,
            dataset_version=dataset_version,
            offering=offering,
            terms=terms,
            terms_sha256=terms_sha256,
            document_sha256=document_sha256,
            document_en_sha256=document_en_sha256,
            price=price,
            quantity=quantity,
            amount=amount,
            currency=currency,
            status=status,
            valid_from=valid_from,
            valid_until=valid_until,
            concluded_at=concluded_at,
            channel=channel,
            negotiation=negotiation,
            acceptances=acceptances,
            events=events,
        )

        contract.additional_properties = d
        return contract

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
