from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.entitlement_delivery_enum import EntitlementDeliveryEnum
from ..models.entitlement_status_enum import EntitlementStatusEnum

if TYPE_CHECKING:
    from ..models.covered_version import CoveredVersion


T = TypeVar("T", bound="Entitlement")


@_attrs_define
class Entitlement:
    """
    Attributes:
        id (UUID):
        contract (UUID):
        dataset (UUID):
        dataset_version (UUID):
        valid_from (datetime.datetime):
        valid_until (datetime.datetime):
        status (EntitlementStatusEnum): * `active` - Active
            * `expired` - Expired
            * `revoked` - Revoked
        delivery (EntitlementDeliveryEnum): * `hosted` - From the market
            * `provider` - From the seller's server
        delivery_url (str): The seller's own endpoint for provider delivery; empty for hosted delivery.
        dataset_title (str):
        version_number (int):
        first_download_at (datetime.datetime | None):
        created_at (datetime.datetime):
        ended_at (datetime.datetime | None):
        subscription (None | UUID): The subscription it belongs to, if any.
        dataset_versions (list[CoveredVersion]): The versions it covers, oldest first: a licence its one version; a
            subscription the latest at its start and each one published since while it was in force. `dataset_version` is
            the newest.
    """

    id: UUID
    contract: UUID
    dataset: UUID
    dataset_version: UUID
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    status: EntitlementStatusEnum
    delivery: EntitlementDeliveryEnum
    delivery_url: str
    dataset_title: str
    version_number: int
    first_download_at: datetime.datetime | None
    created_at: datetime.datetime
    ended_at: datetime.datetime | None
    subscription: None | UUID
    dataset_versions: list[CoveredVersion]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        contract = str(self.contract)

        dataset = str(self.dataset)

        dataset_version = str(self.dataset_version)

        valid_from = self.valid_from.isoformat()

        valid_until = self.valid_until.isoformat()

        status = self.status.value

        delivery = self.delivery.value

        delivery_url = self.delivery_url

        dataset_title = self.dataset_title

        version_number = self.version_number

        first_download_at: None | str
        if isinstance(self.first_download_at, datetime.datetime):
            first_download_at = self.first_download_at.isoformat()
        else:
            first_download_at = self.first_download_at

        created_at = self.created_at.isoformat()

        ended_at: None | str
        if isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        subscription: None | str
        if isinstance(self.subscription, UUID):
            subscription = str(self.subscription)
        else:
            subscription = self.subscription

        dataset_versions = []
        for dataset_versions_item_data in self.dataset_versions:
            dataset_versions_item = dataset_versions_item_data.to_dict()
            dataset_versions.append(dataset_versions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "contract": contract,
                "dataset": dataset,
                "dataset_version": dataset_version,
                "valid_from": valid_from,
                "valid_until": valid_until,
                "status": status,
                "delivery": delivery,
                "delivery_url": delivery_url,
                "dataset_title": dataset_title,
                "version_number": version_number,
                "first_download_at": first_download_at,
                "created_at": created_at,
                "ended_at": ended_at,
                "subscription": subscription,
                "dataset_versions": dataset_versions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.covered_version import CoveredVersion  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        contract = UUID(d.pop("contract"))

        dataset = UUID(d.pop("dataset"))

        dataset_version = UUID(d.pop("dataset_version"))

        valid_from = datetime.datetime.fromisoformat(d.pop("valid_from"))

        valid_until = datetime.datetime.fromisoformat(d.pop("valid_until"))

        status = EntitlementStatusEnum(d.pop("status"))

        delivery = EntitlementDeliveryEnum(d.pop("delivery"))

        delivery_url = d.pop("delivery_url")

        dataset_title = d.pop("dataset_title")

        version_number = d.pop("version_number")

        def _parse_first_download_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                first_download_at_type_0 = datetime.datetime.fromisoformat(data)

                return first_download_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        first_download_at = _parse_first_download_at(d.pop("first_download_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_ended_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_at_type_0 = datetime.datetime.fromisoformat(data)

                return ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ended_at = _parse_ended_at(d.pop("ended_at"))

        def _parse_subscription(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                subscription_type_0 = UUID(data)

                return subscription_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        subscription = _parse_subscription(d.pop("subscription"))

        dataset_versions = []
        _dataset_versions = d.pop("dataset_versions")
        for dataset_versions_item_data in _dataset_versions:
            dataset_versions_item = CoveredVersion.from_dict(dataset_versions_item_data)

            dataset_versions.append(dataset_versions_item)

        entitlement = cls(
            id=id,
            contract=contract,
            dataset=dataset,
            dataset_version=dataset_version,
            valid_from=valid_from,
            valid_until=valid_until,
            status=status,
            delivery=delivery,
            delivery_url=delivery_url,
            dataset_title=dataset_title,
            version_number=version_number,
            first_download_at=first_download_at,
            created_at=created_at,
            ended_at=ended_at,
            subscription=subscription,
            dataset_versions=dataset_versions,
        )

        entitlement.additional_properties = d
        return entitlement

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
