from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.offering_kind_enum import OfferingKindEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.offering_create_request_terms import OfferingCreateRequestTerms


T = TypeVar("T", bound="OfferingCreateRequest")


@_attrs_define
class OfferingCreateRequest:
    """Unknown fields are an error, not silently dropped: a typo must not look like success.

    Attributes:
        dataset (UUID):
        template (str): Template code, e.g. meti-data-provision.
        terms (OfferingCreateRequestTerms): Validated against the template's terms_schema; defaults fill gaps.
        license_seats (int | None):
        currency (str | Unset):  Default: 'JPY'.
        delivery_url (str | Unset): Your own https endpoint that serves the data to buyers (seller-hosted delivery;
            docs/delivery.md): buyers send it the market's signed JWT. Empty: the market delivers the stored version.
            Refused unless its host resolves to public addresses only; no credentials, no fragment. Default: ''.
        kind (OfferingKindEnum | Unset): * `licence` - Licence
            * `subscription` - Subscription Default: OfferingKindEnum.LICENCE.
        period_days (int | None | Unset): Subscription only (required): the length of one period in days; the book
            prices one period.
        term_periods (int | None | Unset): Subscription only (required): the number of periods the contract runs;
            term_periods x period_days is at most 3650 and becomes the terms' duration_days.
        min_versions_per_period (int | None | Unset): Subscription only (default 1): the delivery commitment, new
            versions (a SHA-256 not published before) per period; a period with fewer is not charged.
        stream (bool | Unset): Subscription only: readings also flow live over MQTT (refused while the market runs no
            broker). Default: False.
        min_messages_per_period (int | None | Unset): Subscription with stream only (optional): live-stream messages per
            period, also committed to.
    """

    dataset: UUID
    template: str
    terms: OfferingCreateRequestTerms
    license_seats: int | None
    currency: str | Unset = "JPY"
    delivery_url: str | Unset = ""
    kind: OfferingKindEnum | Unset = OfferingKindEnum.LICENCE
    period_days: int | None | Unset = UNSET
    term_periods: int | None | Unset = UNSET
    min_versions_per_period: int | None | Unset = UNSET
    stream: bool | Unset = False
    min_messages_per_period: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        dataset = str(self.dataset)

        template = self.template

        terms = self.terms.to_dict()

        license_seats: int | None
        license_seats = self.license_seats

        currency = self.currency

        delivery_url = self.delivery_url

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        period_days: int | None | Unset
        if isinstance(self.period_days, Unset):
            period_days = UNSET
        else:
            period_days = self.period_days

        term_periods: int | None | Unset
        if isinstance(self.term_periods, Unset):
            term_periods = UNSET
        else:
            term_periods = self.term_periods

        min_versions_per_period: int | None | Unset
        if isinstance(self.min_versions_per_period, Unset):
            min_versions_per_period = UNSET
        else:
            min_versions_per_period = self.min_versions_per_period

        stream = self.stream

        min_messages_per_period: int | None | Unset
        if isinstance(self.min_messages_per_period, Unset):
            min_messages_per_period = UNSET
        else:
            min_messages_per_period = self.min_messages_per_period

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dataset": dataset,
                "template": template,
                "terms": terms,
                "license_seats": license_seats,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency
        if delivery_url is not UNSET:
            field_dict["delivery_url"] = delivery_url
        if kind is not UNSET:
            field_dict["kind"] = kind
        if period_days is not UNSET:
            field_dict["period_days"] = period_days
        if term_periods is not UNSET:
            field_dict["term_periods"] = term_periods
        if min_versions_per_period is not UNSET:
            field_dict["min_versions_per_period"] = min_versions_per_period
        if stream is not UNSET:
            field_dict["stream"] = stream
        if min_messages_per_period is not UNSET:
            field_dict["min_messages_per_period"] = min_messages_per_period

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.offering_create_request_terms import OfferingCreateRequestTerms  # noqa: PLC0415

        d = dict(src_dict)
        dataset = UUID(d.pop("dataset"))

        template = d.pop("template")

        terms = OfferingCreateRequestTerms.from_dict(d.pop("terms"))

        def _parse_license_seats(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        license_seats = _parse_license_seats(d.pop("license_seats"))

        currency = d.pop("currency", UNSET)

        delivery_url = d.pop("delivery_url", UNSET)

        _kind = d.pop("kind", UNSET)
        kind: OfferingKindEnum | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = OfferingKindEnum(_kind)

        def _parse_period_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        period_days = _parse_period_days(d.pop("period_days", UNSET))

        def _parse_term_periods(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        term_periods = _parse_term_periods(d.pop("term_periods", UNSET))

        def _parse_min_versions_per_period(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_versions_per_period = _parse_min_versions_per_period(d.pop("min_versions_per_period", UNSET))

        stream = d.pop("stream", UNSET)

        def _parse_min_messages_per_period(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_messages_per_period = _parse_min_messages_per_period(d.pop("min_messages_per_period", UNSET))

        offering_create_request = cls(
            dataset=dataset,
            template=template,
            terms=terms,
            license_seats=license_seats,
            currency=currency,
            delivery_url=delivery_url,
            kind=kind,
            period_days=period_days,
            term_periods=term_periods,
            min_versions_per_period=min_versions_per_period,
            stream=stream,
            min_messages_per_period=min_messages_per_period,
        )

        return offering_create_request
