from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.category_enum import CategoryEnum
from ..models.data_class_enum import DataClassEnum
from ..models.data_request_status_enum import DataRequestStatusEnum

if TYPE_CHECKING:
    from ..models.data_request_answer import DataRequestAnswer
    from ..models.party_name import PartyName


T = TypeVar("T", bound="DataRequestDetail")


@_attrs_define
class DataRequestDetail:
    """A request for data with its answers: every one to its buyer, a seller's own to a seller.

    Attributes:
        id (UUID):
        title (str):
        description (str):
        data_class (DataClassEnum): * `anonymized` - Anonymously processed information
            * `iot` - IoT / non-personal sensing data
        category (CategoryEnum): * `infrastructure` - Infrastructure
            * `manufacturing` - Manufacturing
            * `weather` - Weather and environment
            * `mobility` - Mobility and people flow
            * `retail` - Retail and consumption
            * `energy` - Energy
            * `agriculture` - Agriculture
            * `healthcare` - Healthcare
            * `other` - Other
        territory (list[str]):
        purpose (str):
        budget_max (int | None):
        currency (str):
        respond_by (datetime.datetime):
        public_identity (bool):
        status (DataRequestStatusEnum): * `open` - Open
            * `closed` - Closed
            * `expired` - Expired
        buyer (None | PartyName): Sellers see it only if public_identity.
        mine (bool): Whether your organisation made the request.
        created_at (datetime.datetime):
        closed_at (datetime.datetime | None):
        answers (list[DataRequestAnswer]):
    """

    id: UUID
    title: str
    description: str
    data_class: DataClassEnum
    category: CategoryEnum
    territory: list[str]
    purpose: str
    budget_max: int | None
    currency: str
    respond_by: datetime.datetime
    public_identity: bool
    status: DataRequestStatusEnum
    buyer: None | PartyName
    mine: bool
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    answers: list[DataRequestAnswer]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.party_name import PartyName  # noqa: PLC0415

        id = str(self.id)

        title = self.title

        description = self.description

        data_class = self.data_class.value

        category = self.category.value

        territory = self.territory

        purpose = self.purpose

        budget_max: int | None
        budget_max = self.budget_max

        currency = self.currency

        respond_by = self.respond_by.isoformat()

        public_identity = self.public_identity

        status = self.status.value

        buyer: dict[str, Any] | None
        if isinstance(self.buyer, PartyName):
            buyer = self.buyer.to_dict()
        else:
            buyer = self.buyer

        mine = self.mine

        created_at = self.created_at.isoformat()

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        answers = []
        for answers_item_data in self.answers:
            answers_item = answers_item_data.to_dict()
            answers.append(answers_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "title": title,
                "description": description,
                "data_class": data_class,
                "category": category,
                "territory": territory,
                "purpose": purpose,
                "budget_max": budget_max,
                "currency": currency,
                "respond_by": respond_by,
                "public_identity": public_identity,
                "status": status,
                "buyer": buyer,
                "mine": mine,
                "created_at": created_at,
                "closed_at": closed_at,
                "answers": answers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_request_answer import DataRequestAnswer  # noqa: PLC0415
        from ..models.party_name import PartyName  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        title = d.pop("title")

        description = d.pop("description")

        data_class = DataClassEnum(d.pop("data_class"))

        category = CategoryEnum(d.pop("category"))

        territory = cast(list[str], d.pop("territory"))

        purpose = d.pop("purpose")

        def _parse_budget_max(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        budget_max = _parse_budget_max(d.pop("budget_max"))

        currency = d.pop("currency")

        respond_by = datetime.datetime.fromisoformat(d.pop("respond_by"))

        public_identity = d.pop("public_identity")

        status = DataRequestStatusEnum(d.pop("status"))

        def _parse_buyer(data: object) -> None | PartyName:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                buyer_type_1 = PartyName.from_dict(data)

                return buyer_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PartyName, data)

        buyer = _parse_buyer(d.pop("buyer"))

        mine = d.pop("mine")

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

        answers = []
        _answers = d.pop("answers")
        for answers_item_data in _answers:
            answers_item = DataRequestAnswer.from_dict(answers_item_data)

            answers.append(answers_item)

        data_request_detail = cls(
            id=id,
            title=title,
            description=description,
            data_class=data_class,
            category=category,
            territory=territory,
            purpose=purpose,
            budget_max=budget_max,
            currency=currency,
            respond_by=respond_by,
            public_identity=public_identity,
            status=status,
            buyer=buyer,
            mine=mine,
            created_at=created_at,
            closed_at=closed_at,
            answers=answers,
        )

        data_request_detail.additional_properties = d
        return data_request_detail

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
