from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.auction_status_enum import AuctionStatusEnum

if TYPE_CHECKING:
    from ..models.auction_bid import AuctionBid
    from ..models.auction_dataset import AuctionDataset
    from ..models.auction_party import AuctionParty
    from ..models.auction_terms import AuctionTerms
    from ..models.auction_winner import AuctionWinner


T = TypeVar("T", bound="Auction")


@_attrs_define
class Auction:
    """An auction as the caller may see it (``deals.selectors.AuctionView``).

    Attributes:
        id (UUID):
        status (AuctionStatusEnum): * `open` - Open
            * `closed` - Closed
            * `no_sale` - No sale
        dataset (AuctionDataset): DRF's ``Serializer`` with the declared fields copied cheaply per instance (see
            ``_SHALLOW_COPIED``).

            Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
            it shares with the declaration (``field.validators.append`` would reach every instance).
        seller (AuctionParty): DRF's ``Serializer`` with the declared fields copied cheaply per instance (see
            ``_SHALLOW_COPIED``).

            Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
            it shares with the declaration (``field.validators.append`` would reach every instance).
        offering (UUID):
        template (str):
        terms (AuctionTerms):
        terms_sha256 (str):
        mandatory_clauses (list[str]):
        seats (int):
        reserve_price (int):
        currency (str):
        closes_at (datetime.datetime):
        created_at (datetime.datetime):
        closed_at (datetime.datetime | None):
        clearing_price (int | None): After the close: the uniform price a seat (recomputed if a seat passed on); null
            before or no sale.
        bids_received (int | None): After the close only.
        winners_count (int | None): After the close only.
        winners (list[AuctionWinner]): Named winners: all of them to the seller, your own win to you, none to anyone
            else.
        bid (AuctionBid | None): Your own bid, if any.
    """

    id: UUID
    status: AuctionStatusEnum
    dataset: AuctionDataset
    seller: AuctionParty
    offering: UUID
    template: str
    terms: AuctionTerms
    terms_sha256: str
    mandatory_clauses: list[str]
    seats: int
    reserve_price: int
    currency: str
    closes_at: datetime.datetime
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    clearing_price: int | None
    bids_received: int | None
    winners_count: int | None
    winners: list[AuctionWinner]
    bid: AuctionBid | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.auction_bid import AuctionBid  # noqa: PLC0415

        id = str(self.id)

        status = self.status.value

        dataset = self.dataset.to_dict()

        seller = self.seller.to_dict()

        offering = str(self.offering)

        template = self.template

        terms = self.terms.to_dict()

        terms_sha256 = self.terms_sha256

        mandatory_clauses = self.mandatory_clauses

        seats = self.seats

        reserve_price = self.reserve_price

        currency = self.currency

        closes_at = self.closes_at.isoformat()

        created_at = self.created_at.isoformat()

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        clearing_price: int | None
        clearing_price = self.clearing_price

        bids_received: int | None
        bids_received = self.bids_received

        winners_count: int | None
        winners_count = self.winners_count

        winners = []
        for winners_item_data in self.winners:
            winners_item = winners_item_data.to_dict()
            winners.append(winners_item)

        bid: dict[str, Any] | None
        if isinstance(self.bid, AuctionBid):
            bid = self.bid.to_dict()
        else:
            bid = self.bid

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "dataset": dataset,
                "seller": seller,
                "offering": offering,
                "template": template,
                "terms": terms,
                "terms_sha256": terms_sha256,
                "mandatory_clauses": mandatory_clauses,
                "seats": seats,
                "reserve_price": reserve_price,
                "currency": currency,
                "closes_at": closes_at,
                "created_at": created_at,
                "closed_at": closed_at,
                "clearing_price": clearing_price,
                "bids_received": bids_received,
                "winners_count": winners_count,
                "winners": winners,
                "bid": bid,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.auction_bid import AuctionBid  # noqa: PLC0415
        from ..models.auction_dataset import AuctionDataset  # noqa: PLC0415
        from ..models.auction_party import AuctionParty  # noqa: PLC0415
        from ..models.auction_terms import AuctionTerms  # noqa: PLC0415
        from ..models.auction_winner import AuctionWinner  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        status = AuctionStatusEnum(d.pop("status"))

        dataset = AuctionDataset.from_dict(d.pop("dataset"))

        seller = AuctionParty.from_dict(d.pop("seller"))

        offering = UUID(d.pop("offering"))

        template = d.pop("template")

        terms = AuctionTerms.from_dict(d.pop("terms"))

        terms_sha256 = d.pop("terms_sha256")

        mandatory_clauses = cast(list[str], d.pop("mandatory_clauses"))

        seats = d.pop("seats")

        reserve_price = d.pop("reserve_price")

        currency = d.pop("currency")

        closes_at = datetime.datetime.fromisoformat(d.pop("closes_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

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

        def _parse_clearing_price(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        clearing_price = _parse_clearing_price(d.pop("clearing_price"))

        def _parse_bids_received(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        bids_received = _parse_bids_received(d.pop("bids_received"))

        def _parse_winners_count(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        winners_count = _parse_winners_count(d.pop("winners_count"))

        winners = []
        _winners = d.pop("winners")
        for winners_item_data in _winners:
            winners_item = AuctionWinner.from_dict(winners_item_data)

            winners.append(winners_item)

        def _parse_bid(data: object) -> AuctionBid | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                bid_type_1 = AuctionBid.from_dict(data)

                return bid_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuctionBid | None, data)

        bid = _parse_bid(d.pop("bid"))

        auction = cls(
            id=id,
            status=status,
            dataset=dataset,
            seller=seller,
            offering=offering,
            template=template,
            terms=terms,
            terms_sha256=terms_sha256,
            mandatory_clauses=mandatory_clauses,
            seats=seats,
            reserve_price=reserve_price,
            currency=currency,
            closes_at=closes_at,
            created_at=created_at,
            closed_at=closed_at,
            clearing_price=clearing_price,
            bids_received=bids_received,
            winners_count=winners_count,
            winners=winners,
            bid=bid,
        )

        auction.additional_properties = d
        return auction

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
