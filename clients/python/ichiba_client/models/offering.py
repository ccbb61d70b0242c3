from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.offering_delivery_enum import OfferingDeliveryEnum
from ..models.offering_kind_enum import OfferingKindEnum
from ..models.offering_status_enum import OfferingStatusEnum

if TYPE_CHECKING:
    from ..models.offering_seller import OfferingSeller
    from ..models.offering_seller_acceptance import OfferingSellerAcceptance
    from ..models.takedown import Takedown


T = TypeVar("T", bound="Offering")


@_attrs_define
class Offering:
    """
    Attributes:
        id (UUID):
        dataset (UUID):
        seller (OfferingSeller):
        template (str):
        terms (Any):
        terms_sha256 (str):
        mandatory_clauses (list[str]): Clauses the data class makes part of the terms.
        license_seats (int | None): Empty: unlimited.
        seats_sold (int):
        seats_left (int | None):
        currency (str):
        kind (OfferingKindEnum): * `licence` - Licence
            * `subscription` - Subscription
        period_days (int | None): A subscription's period in days (the book's prices are per period); else null.
        term_periods (int | None): A subscription's number of periods (term_periods x period_days = duration_days).
        min_versions_per_period (int | None): A subscription's delivery commitment: new versions per period; else null.
        stream (bool): Whether the subscription also carries a live MQTT stream.
        min_messages_per_period (int | None): Live-stream messages per period the seller also commits to, if any.
        status (OfferingStatusEnum): * `active` - Active
            * `withdrawn` - Withdrawn
        seller_acceptance (OfferingSellerAcceptance):
        created_at (datetime.datetime):
        withdrawn_at (datetime.datetime | None):
        delivery (OfferingDeliveryEnum): * `hosted` - hosted
            * `provider` - provider
        delivery_url (str): The seller's endpoint for seller-hosted delivery; empty when the market delivers.
        taken_down (None | Takedown):
    """

    id: UUID
    dataset: UUID
    seller: OfferingSeller
    template: str
    terms: Any
    terms_sha256: str
    mandatory_clauses: list[str]
    license_seats: int | None
    seats_sold: int
    seats_left: int | None
    currency: str
    kind: OfferingKindEnum
    period_days: int | None
    term_periods: int | None
    min_versions_per_period: int | None
    stream: bool
    min_messages_per_period: int | None
    status: OfferingStatusEnum
    seller_acceptance: OfferingSellerAcceptance
    created_at: datetime.datetime
    withdrawn_at: datetime.datetime | None
    delivery: OfferingDeliveryEnum
    delivery_url: str
    taken_down: None | Takedown
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.takedown import Takedown  # noqa: PLC0415

        id = str(self.id)

        dataset = str(self.dataset)

        seller = self.seller.to_dict()

        template = self.template

        terms = self.terms

        terms_sha256 = self.terms_sha256

        mandatory_clauses = self.mandatory_clauses

        license_seats: int | None
        license_seats = self.license_seats

        seats_sold = self.seats_sold

        seats_left: int | None
        seats_left = self.seats_left

        currency = self.currency

        kind = self.kind.value

        period_days: int | None
        period_days = self.period_days

        term_periods: int | None
        term_periods = self.term_periods

        min_versions_per_period: int | None
        min_versions_per_period = self.min_versions_per_period

        stream = self.stream

        min_messages_per_period: int | None
        min_messages_per_period = self.min_messages_per_period

        status = self.status.value

        seller_acceptance = self.seller_acceptance.to_dict()

        created_at = self.created_at.isoformat()

        withdrawn_at: None | str
        if isinstance(self.withdrawn_at, datetime.datetime):
            withdrawn_at = self.withdrawn_at.isoformat()
        else:
            withdrawn_at = self.withdrawn_at

        delivery = self.delivery.value

        delivery_url = self.delivery_url

        taken_down: dict[str, Any] | None
        if isinstance(self.taken_down, Takedown):
            taken_down = self.taken_down.to_dict()
        else:
            taken_down = self.taken_down

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "dataset": dataset,
                "seller": seller,
                "template": template,
                "terms": terms,
                "terms_sha256": terms_sha256,
                "mandatory_clauses": mandatory_clauses,
                "license_seats": license_seats,
                "seats_sold": seats_sold,
                "seats_left": seats_left,
                "currency": currency,
                "kind": kind,
                "period_days": period_days,
                "term_periods": term_periods,
                "min_versions_per_period": min_versions_per_period,
                "stream": stream,
                "min_messages_per_period": min_messages_per_period,
                "status": status,
                "seller_acceptance": seller_acceptance,
                "created_at": created_at,
                "withdrawn_at": withdrawn_at,
                "delivery": delivery,
                "delivery_url": delivery_url,
                "taken_down": taken_down,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.offering_seller import OfferingSeller  # noqa: PLC0415
        from ..models.offering_seller_acceptance import OfferingSellerAcceptance  # noqa: PLC0415
        from ..models.takedown import Takedown  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        dataset = UUID(d.pop("dataset"))

        seller = OfferingSeller.from_dict(d.pop("seller"))

        template = d.pop("template")

        terms = d.pop("terms")

        terms_sha256 = d.pop("terms_sha256")

        mandatory_clauses = cast(list[str], d.pop("mandatory_clauses"))

        def _parse_license_seats(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        license_seats = _parse_license_seats(d.pop("license_seats"))

        seats_sold = d.pop("seats_sold")

        def _parse_seats_left(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        seats_left = _parse_seats_left(d.pop("seats_left"))

        currency = d.pop("currency")

        kind = OfferingKindEnum(d.pop("kind"))

        def _parse_period_days(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        period_days = _parse_period_days(d.pop("period_days"))

        def _parse_term_periods(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        term_periods = _parse_term_periods(d.pop("term_periods"))

        def _parse_min_versions_per_period(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        min_versions_per_period = _parse_min_versions_per_period(d.pop("min_versions_per_period"))

        stream = d.pop("stream")

        def _parse_min_messages_per_period(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        min_messages_per_period = _parse_min_messages_per_period(d.pop("min_messages_per_period"))

        status = OfferingStatusEnum(d.pop("status"))

        seller_acceptance = OfferingSellerAcceptance.from_dict(d.pop("seller_acceptance"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_withdrawn_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                withdrawn_at_type_0 = datetime.datetime.fromisoformat(data)

                return withdrawn_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        withdrawn_at = _parse_withdrawn_at(d.pop("withdrawn_at"))

        delivery = OfferingDeliveryEnum(d.pop("delivery"))

        delivery_url = d.pop("delivery_url")

        def _parse_taken_down(data: object) -> None | Takedown:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                taken_down_type_1 = Takedown.from_dict(data)

                return taken_down_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Takedown, data)

        taken_down = _parse_taken_down(d.pop("taken_down"))

        offering = cls(
            id=id,
            dataset=dataset,
            seller=seller,
            template=template,
            terms=terms,
            terms_sha256=terms_sha256,
            mandatory_clauses=mandatory_clauses,
            license_seats=license_seats,
            seats_sold=seats_sold,
            seats_left=seats_left,
            currency=currency,
            kind=kind,
            period_days=period_days,
            term_periods=term_periods,
            min_versions_per_period=min_versions_per_period,
            stream=stream,
            min_messages_per_period=min_messages_per_period,
            status=status,
            seller_acceptance=seller_acceptance,
            created_at=created_at,
            withdrawn_at=withdrawn_at,
            delivery=delivery,
            delivery_url=delivery_url,
            taken_down=taken_down,
        )

        offering.additional_properties = d
        return offering

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
