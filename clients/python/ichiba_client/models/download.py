from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.download_buyer import DownloadBuyer
    from ..models.download_dataset import DownloadDataset
    from ..models.download_dataset_version import DownloadDatasetVersion


T = TypeVar("T", bound="Download")


@_attrs_define
class Download:
    """
    Attributes:
        id (UUID):
        entitlement (UUID):
        dataset (DownloadDataset):
        dataset_version (DownloadDatasetVersion):
        format_ (str): The format the data was downloaded in: the version's own, or one of its renditions (?format=).
        buyer (DownloadBuyer):
        range_start (int):
        range_end (int | None): Inclusive; empty: to the end.
        bytes_sent (int):
        completed (bool): The whole requested range was sent.
        started_at (datetime.datetime):
        finished_at (datetime.datetime | None):
        client_address (None | str | Unset): Shown to the buyer only.
        user_agent (str | Unset): Shown to the buyer only.
    """

    id: UUID
    entitlement: UUID
    dataset: DownloadDataset
    dataset_version: DownloadDatasetVersion
    format_: str
    buyer: DownloadBuyer
    range_start: int
    range_end: int | None
    bytes_sent: int
    completed: bool
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    client_address: None | str | Unset = UNSET
    user_agent: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        entitlement = str(self.entitlement)

        dataset = self.dataset.to_dict()

        dataset_version = self.dataset_version.to_dict()

        format_ = self.format_

        buyer = self.buyer.to_dict()

        range_start = self.range_start

        range_end: int | None
        range_end = self.range_end

        bytes_sent = self.bytes_sent

        completed = self.completed

        started_at = self.started_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        client_address: None | str | Unset
        if isinstance(self.client_address, Unset):
            client_address = UNSET
        else:
            client_address = self.client_address

        user_agent = self.user_agent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "entitlement": entitlement,
                "dataset": dataset,
                "dataset_version": dataset_version,
                "format": format_,
                "buyer": buyer,
                "range_start": range_start,
                "range_end": range_end,
                "bytes_sent": bytes_sent,
                "completed": completed,
                "started_at": started_at,
                "finished_at": finished_at,
            }
        )
        if client_address is not UNSET:
            field_dict["client_address"] = client_address
        if user_agent is not UNSET:
            field_dict["user_agent"] = user_agent

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.download_buyer import DownloadBuyer  # noqa: PLC0415
        from ..models.download_dataset import DownloadDataset  # noqa: PLC0415
        from ..models.download_dataset_version import DownloadDatasetVersion  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        entitlement = UUID(d.pop("entitlement"))

        dataset = DownloadDataset.from_dict(d.pop("dataset"))

        dataset_version = DownloadDatasetVersion.from_dict(d.pop("dataset_version"))

        format_ = d.pop("format")

        buyer = DownloadBuyer.from_dict(d.pop("buyer"))

        range_start = d.pop("range_start")

        def _parse_range_end(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        range_end = _parse_range_end(d.pop("range_end"))

        bytes_sent = d.pop("bytes_sent")

        completed = d.pop("completed")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        def _parse_client_address(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_address = _parse_client_address(d.pop("client_address", UNSET))

        user_agent = d.pop("user_agent", UNSET)

        download = cls(
            id=id,
            entitlement=entitlement,
            dataset=dataset,
            dataset_version=dataset_version,
            format_=format_,
            buyer=buyer,
            range_start=range_start,
            range_end=range_end,
            bytes_sent=bytes_sent,
            completed=completed,
            started_at=started_at,
            finished_at=finished_at,
            client_address=client_address,
            user_agent=user_agent,
        )

        download.additional_properties = d
        return download

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
