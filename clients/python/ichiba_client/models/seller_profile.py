from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.feed import Feed
    from ..models.listed_dataset import ListedDataset
    from ..models.open_offering import OpenOffering


T = TypeVar("T", bound="SellerProfile")


@_attrs_define
class SellerProfile:
    """
    Attributes:
        id (UUID):
        name (str):
        country (str):
        verified (bool):
        verified_at (datetime.datetime | None):
        description (str): As the seller wrote it.
        website (str):
        logo_url (None | str):
        page_url (str):
        created_at (datetime.datetime):
        trades (int): Trades on public order books and at auctions (not private offers).
        datasets_listed (int):
        datasets (list[ListedDataset]): Its listed datasets, newest first (at most 50).
        open_offerings (list[OpenOffering]):
        feeds (list[Feed]): Each open subscription's delivery record.
    """

    id: UUID
    name: str
    country: str
    verified: bool
    verified_at: datetime.datetime | None
    description: str
    website: str
    logo_url: None | str
    page_url: str
    created_at: datetime.datetime
    trades: int
    datasets_listed: int
    datasets: list[ListedDataset]
    open_offerings: list[OpenOffering]
    feeds: list[Feed]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        country = self.country

        verified = self.verified

        verified_at: None | str
        if isinstance(self.verified_at, datetime.datetime):
            verified_at = self.verified_at.isoformat()
        else:
            verified_at = self.verified_at

        description = self.description

        website = self.website

        logo_url: None | str
        logo_url = self.logo_url

        page_url = self.page_url

        created_at = self.created_at.isoformat()

        trades = self.trades

        datasets_listed = self.datasets_listed

        datasets = []
        for datasets_item_data in self.datasets:
            datasets_item = datasets_item_data.to_dict()
            datasets.append(datasets_item)

        open_offerings = []
        for open_offerings_item_data in self.open_offerings:
            open_offerings_item = open_offerings_item_data.to_dict()
            open_offerings.append(open_offerings_item)

        feeds = []
        for feeds_item_data in self.feeds:
            feeds_item = feeds_item_data.to_dict()
            feeds.append(feeds_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "country": country,
                "verified": verified,
                "verified_at": verified_at,
                "description": description,
                "website": website,
                "logo_url": logo_url,
                "page_url": page_url,
                "created_at": created_at,
                "trades": trades,
                "datasets_listed": datasets_listed,
                "datasets": datasets,
                "open_offerings": open_offerings,
                "feeds": feeds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.feed import Feed  # noqa: PLC0415
        from ..models.listed_dataset import ListedDataset  # noqa: PLC0415
        from ..models.open_offering import OpenOffering  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        country = d.pop("country")

        verified = d.pop("verified")

        def _parse_verified_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                verified_at_type_0 = datetime.datetime.fromisoformat(data)

                return verified_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        verified_at = _parse_verified_at(d.pop("verified_at"))

        description = d.pop("description")

        website = d.pop("website")

        def _parse_logo_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        logo_url = _parse_logo_url(d.pop("logo_url"))

        page_url = d.pop("page_url")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        trades = d.pop("trades")

        datasets_listed = d.pop("datasets_listed")

        datasets = []
        _datasets = d.pop("datasets")
        for datasets_item_data in _datasets:
            datasets_item = ListedDataset.from_dict(datasets_item_data)

            datasets.append(datasets_item)

        open_offerings = []
        _open_offerings = d.pop("open_offerings")
        for open_offerings_item_data in _open_offerings:
            open_offerings_item = OpenOffering.from_dict(open_offerings_item_data)

            open_offerings.append(open_offerings_item)

        feeds = []
        _feeds = d.pop("feeds")
        for feeds_item_data in _feeds:
            feeds_item = Feed.from_dict(feeds_item_data)

            feeds.append(feeds_item)

        seller_profile = cls(
            id=id,
            name=name,
            country=country,
            verified=verified,
            verified_at=verified_at,
            description=description,
            website=website,
            logo_url=logo_url,
            page_url=page_url,
            created_at=created_at,
            trades=trades,
            datasets_listed=datasets_listed,
            datasets=datasets,
            open_offerings=open_offerings,
            feeds=feeds,
        )

        seller_profile.additional_properties = d
        return seller_profile

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
