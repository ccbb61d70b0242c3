from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.usage_summary_buyer import UsageSummaryBuyer
    from ..models.usage_summary_dataset import UsageSummaryDataset
    from ..models.usage_summary_dataset_version import UsageSummaryDatasetVersion


T = TypeVar("T", bound="UsageSummary")


@_attrs_define
class UsageSummary:
    """
    Attributes:
        buyer (UsageSummaryBuyer):
        dataset (UsageSummaryDataset):
        dataset_version (UsageSummaryDatasetVersion):
        downloads (int):
        completed (int):
        bytes_ (int):
        last_at (datetime.datetime):
    """

    buyer: UsageSummaryBuyer
    dataset: UsageSummaryDataset
    dataset_version: UsageSummaryDatasetVersion
    downloads: int
    completed: int
    bytes_: int
    last_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        buyer = self.buyer.to_dict()

        dataset = self.dataset.to_dict()

        dataset_version = self.dataset_version.to_dict()

        downloads = self.downloads

        completed = self.completed

        bytes_ = self.bytes_

        last_at = self.last_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "buyer": buyer,
                "dataset": dataset,
                "dataset_version": dataset_version,
                "downloads": downloads,
                "completed": completed,
                "bytes": bytes_,
                "last_at": last_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.usage_summary_buyer import UsageSummaryBuyer  # noqa: PLC0415
        from ..models.usage_summary_dataset import UsageSummaryDataset  # noqa: PLC0415
        from ..models.usage_summary_dataset_version import UsageSummaryDatasetVersion  # noqa: PLC0415

        d = dict(src_dict)
        buyer = UsageSummaryBuyer.from_dict(d.pop("buyer"))

        dataset = UsageSummaryDataset.from_dict(d.pop("dataset"))

        dataset_version = UsageSummaryDatasetVersion.from_dict(d.pop("dataset_version"))

        downloads = d.pop("downloads")

        completed = d.pop("completed")

        bytes_ = d.pop("bytes")

        last_at = datetime.datetime.fromisoformat(d.pop("last_at"))

        usage_summary = cls(
            buyer=buyer,
            dataset=dataset,
            dataset_version=dataset_version,
            downloads=downloads,
            completed=completed,
            bytes_=bytes_,
            last_at=last_at,
        )

        usage_summary.additional_properties = d
        return usage_summary

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
