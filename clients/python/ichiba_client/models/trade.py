from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Trade")


@_attrs_define
class Trade:
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance).

        Attributes:
            id (UUID):
            offering (UUID):
            price (int):
            quantity (int):
            currency (str):
            executed_at (datetime.datetime):
            contract (None | str | Unset): Shown to the trade's buyer and seller only.
            settlement (None | str | Unset): Shown to the trade's buyer and seller only.
    """

    id: UUID
    offering: UUID
    price: int
    quantity: int
    currency: str
    executed_at: datetime.datetime
    contract: None | str | Unset = UNSET
    settlement: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        offering = str(self.offering)

        price = self.price

        quantity = self.quantity

        currency = self.currency

        executed_at = self.executed_at.isoformat()

        contract: None | str | Unset
        if isinstance(self.contract, Unset):
            contract = UNSET
        else:
            contract = self.contract

        settlement: None | str | Unset
        if isinstance(self.settlement, Unset):
            settlement = UNSET
        else:
            settlement = self.settlement

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "offering": offering,
                "price": price,
                "quantity": quantity,
                "currency": currency,
                "executed_at": executed_at,
            }
        )
        if contract is not UNSET:
            field_dict["contract"] = contract
        if settlement is not UNSET:
            field_dict["settlement"] = settlement

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        offering = UUID(d.pop("offering"))

        price = d.pop("price")

        quantity = d.pop("quantity")

        currency = d.pop("currency")

        executed_at = datetime.datetime.fromisoformat(d.pop("executed_at"))

        def _parse_contract(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contract = _parse_contract(d.pop("contract", UNSET))

        def _parse_settlement(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        settlement = _parse_settlement(d.pop("settlement", UNSET))

        trade = cls(
            id=id,
            offering=offering,
            price=price,
            quantity=quantity,
            currency=currency,
            executed_at=executed_at,
            contract=contract,
            settlement=settlement,
        )

        trade.additional_properties = d
        return trade

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
