from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.category_enum import CategoryEnum
from ..models.data_class_enum import DataClassEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="DataRequestCreateRequest")


@_attrs_define
class DataRequestCreateRequest:
    """A request for data: what a verified buyer needs, for what, where, until when sellers may answer.

    Attributes:
        title (str):
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
        territory (list[str]): ISO 3166-1 alpha-2 codes of the countries the data is wanted for; stored upper-case,
            sorted, once each.
        purpose (str):
        respond_by (datetime.datetime): Until when sellers may answer: in the future, at most 180 days ahead.
        description (str | Unset):  Default: ''.
        budget_max (int | None | Unset): The most the buyer means to pay, in minor units of currency; null for none
            stated.
        currency (str | Unset):  Default: 'JPY'.
        public_identity (bool | Unset): Show your organisation's name to sellers (default: they see none). Default:
            False.
    """

    title: str
    data_class: DataClassEnum
    category: CategoryEnum
    territory: list[str]
    purpose: str
    respond_by: datetime.datetime
    description: str | Unset = ""
    budget_max: int | None | Unset = UNSET
    currency: str | Unset = "JPY"
    public_identity: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        data_class = self.data_class.value

        category = self.category.value

        territory = self.territory

        purpose = self.purpose

        respond_by = self.respond_by.isoformat()

        description = self.description

        budget_max: int | None | Unset
        if isinstance(self.budget_max, Unset):
            budget_max = UNSET
        else:
            budget_max = self.budget_max

        currency = self.currency

        public_identity = self.public_identity

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
                "data_class": data_class,
                "category": category,
                "territory": territory,
                "purpose": purpose,
                "respond_by": respond_by,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if budget_max is not UNSET:
            field_dict["budget_max"] = budget_max
        if currency is not UNSET:
            field_dict["currency"] = currency
        if public_identity is not UNSET:
            field_dict["public_identity"] = public_identity

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        data_class = DataClassEnum(d.pop("data_class"))

        category = CategoryEnum(d.pop("category"))

        territory = cast(list[str], d.pop("territory"))

        purpose = d.pop("purpose")

        respond_by = datetime.datetime.fromisoformat(d.pop("respond_by"))

        description = d.pop("description", UNSET)

        def _parse_budget_max(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        budget_max = _parse_budget_max(d.pop("budget_max", UNSET))

        currency = d.pop("currency", UNSET)

        public_identity = d.pop("public_identity", UNSET)

        data_request_create_request = cls(
            title=title,
            data_class=data_class,
            category=category,
            territory=territory,
            purpose=purpose,
            respond_by=respond_by,
            description=description,
            budget_max=budget_max,
            currency=currency,
            public_identity=public_identity,
        )

        return data_request_create_request
