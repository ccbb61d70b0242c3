from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.author_enum import AuthorEnum
from ..models.private_offer_status_enum import PrivateOfferStatusEnum
from ..models.proposed_via_enum import ProposedViaEnum

if TYPE_CHECKING:
    from ..models.party import Party
    from ..models.revision import Revision


T = TypeVar("T", bound="PrivateOffer")


@_attrs_define
class PrivateOffer:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            id (UUID):
            status (PrivateOfferStatusEnum): * `open` - Open
                * `accepted` - Accepted
                * `declined` - Declined
                * `expired` - Expired
            revision (int): The latest revision's number.
            turn (None | str): While open: seller or buyer, the party that may accept the latest revision (the one that did
                not write it); null once the offer is closed.
            terms_sha256 (str): The latest revision's: what an acceptance names.
            dataset (UUID):
            template (str):
            seller (Party): DRF's ``Serializer`` with the declared fields copied cheaply per instance (see
                ``_SHALLOW_COPIED``).

                Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
                it shares with the declaration (``field.validators.append`` would reach every instance).
            buyer (Party): DRF's ``Serializer`` with the declared fields copied cheaply per instance (see
                ``_SHALLOW_COPIED``).

                Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
                it shares with the declaration (``field.validators.append`` would reach every instance).
            data_request (None | UUID):
            proposed_by (AuthorEnum): * `seller` - seller
                * `buyer` - buyer
            proposed_via (ProposedViaEnum): * `market` - The market (web or API)
                * `dsp` - The Dataspace Protocol
            price (int): The latest revision's, per seat.
            quantity (int): The latest revision's seats.
            currency (str):
            expires_at (datetime.datetime):
            declined_by (str): seller or buyer, when declined.
            revisions (list[Revision]):
            offering (None | UUID):
            trade (None | UUID):
            contract (None | UUID): Once accepted: the concluded contract.
            settlement (None | UUID): Once accepted: the contract's settlement (payment).
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
            closed_at (datetime.datetime | None):
    """

    id: UUID
    status: PrivateOfferStatusEnum
    revision: int
    turn: None | str
    terms_sha256: str
    dataset: UUID
    template: str
    seller: Party
    buyer: Party
    data_request: None | UUID
    proposed_by: AuthorEnum
    proposed_via: ProposedViaEnum
    price: int
    quantity: int
    currency: str
    expires_at: datetime.datetime
    declined_by: str
    revisions: list[Revision]
    offering: None | UUID
    trade: None | UUID
    contract: None | UUID
    settlement: None | UUID
    created_at: datetime.datetime
    updated_at: datetime.datetime
    closed_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        status = self.status.value

        revision = self.revision

        turn: None | str
        turn = self.turn

        terms_sha256 = self.terms_sha256

        dataset = str(self.dataset)

        template = self.template

        seller = self.seller.to_dict()

        buyer = self.buyer.to_dict()

        data_request: None | str
        if isinstance(self.data_request, UUID):
            data_request = str(self.data_request)
        else:
            data_request = self.data_request

        proposed_by = self.proposed_by.value

        proposed_via = self.proposed_via.value

        price = self.price

        quantity = self.quantity

        currency = self.currency

        expires_at = self.expires_at.isoformat()

        declined_by = self.declined_by

        revisions = []
        for revisions_item_data in self.revisions:
            revisions_item = revisions_item_data.to_dict()
            revisions.append(revisions_item)

        offering: None | str
        if isinstance(self.offering, UUID):
            offering = str(self.offering)
        else:
            offering = self.offering

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

        settlement: None | str
        if isinstance(self.settlement, UUID):
            settlement = str(self.settlement)
        else:
            settlement = self.settlement

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "revision": revision,
                "turn": turn,
                "terms_sha256": terms_sha256,
                "dataset": dataset,
                "template": template,
                "seller": seller,
                "buyer": buyer,
                "data_request": data_request,
                "proposed_by": proposed_by,
                "proposed_via": proposed_via,
                "price": price,
                "quantity": quantity,
                "currency": currency,
                "expires_at": expires_at,
                "declined_by": declined_by,
                "revisions": revisions,
                "offering": offering,
                "trade": trade,
                "contract": contract,
                "settlement": settlement,
                "created_at": created_at,
                "updated_at": updated_at,
                "closed_at": closed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.party import Party  # noqa: PLC0415
        from ..models.revision import Revision  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        status = PrivateOfferStatusEnum(d.pop("status"))

        revision = d.pop("revision")

        def _parse_turn(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        turn = _parse_turn(d.pop("turn"))

        terms_sha256 = d.pop("terms_sha256")

        dataset = UUID(d.pop("dataset"))

        template = d.pop("template")

        seller = Party.from_dict(d.pop("seller"))

        buyer = Party.from_dict(d.pop("buyer"))

        def _parse_data_request(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                data_request_type_0 = UUID(data)

                return data_request_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        data_request = _parse_data_request(d.pop("data_request"))

        proposed_by = AuthorEnum(d.pop("proposed_by"))

        proposed_via = ProposedViaEnum(d.pop("proposed_via"))

        price = d.pop("price")

        quantity = d.pop("quantity")

        currency = d.pop("currency")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        declined_by = d.pop("declined_by")

        revisions = []
        _revisions = d.pop("revisions")
        for revisions_item_data in _revisions:
            revisions_item = Revision.from_dict(revisions_item_data)

            revisions.append(revisions_item)

        def _parse_offering(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                offering_type_0 = UUID(data)

                return offering_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        offering = _parse_offering(d.pop("offering"))

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

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

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

        private_offer = cls(
            id=id,
            status=status,
            revision=revision,
            turn=turn,
            terms_sha256=terms_sha256,
            dataset=dataset,
            template=template,
            seller=seller,
            buyer=buyer,
            data_request=data_request,
            proposed_by=proposed_by,
            proposed_via=proposed_via,
            price=price,
            quantity=quantity,
            currency=currency,
            expires_at=expires_at,
            declined_by=declined_by,
            revisions=revisions,
            offering=offering,
            trade=trade,
            contract=contract,
            settlement=settlement,
            created_at=created_at,
            updated_at=updated_at,
            closed_at=closed_at,
        )

        private_offer.additional_properties = d
        return private_offer

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
