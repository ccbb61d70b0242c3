from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invoice_kind_enum import InvoiceKindEnum

T = TypeVar("T", bound="Invoice")


@_attrs_define
class Invoice:
    """
    Attributes:
        id (UUID):
        number (str):
        kind (InvoiceKindEnum): * `sale` - Invoice
            * `fee` - Fee invoice
            * `sale_return` - Return invoice
            * `fee_return` - Fee return invoice
        qualified (bool):
        settlement (UUID):
        original (UUID): A return invoice's original invoice.
        issuer (None | UUID):
        recipient (UUID):
        currency (str):
        tax_treatment (str):
        amount_excl_tax (int):
        tax_rate (str):
        tax_amount (int):
        amount_incl_tax (int):
        issued_at (datetime.datetime):
        snapshot (Any): Everything the invoice prints, as issued: issuer and recipient (name, registration_number), the
            intermediary that issued it on the seller's behalf, issue_date, description, rates (amount_excl_tax and
            tax_amount per rate), totals, tax_treatment and no_tax_reason. Never changes.
    """

    id: UUID
    number: str
    kind: InvoiceKindEnum
    qualified: bool
    settlement: UUID
    original: UUID
    issuer: None | UUID
    recipient: UUID
    currency: str
    tax_treatment: str
    amount_excl_tax: int
    tax_rate: str
    tax_amount: int
    amount_incl_tax: int
    issued_at: datetime.datetime
    snapshot: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        number = self.number

        kind = self.kind.value

        qualified = self.qualified

        settlement = str(self.settlement)

        original = str(self.original)

        issuer: None | str
        if isinstance(self.issuer, UUID):
            issuer = str(self.issuer)
        else:
            issuer = self.issuer

        recipient = str(self.recipient)

        currency = self.currency

        tax_treatment = self.tax_treatment

        amount_excl_tax = self.amount_excl_tax

        tax_rate = self.tax_rate

        tax_amount = self.tax_amount

        amount_incl_tax = self.amount_incl_tax

        issued_at = self.issued_at.isoformat()

        snapshot = self.snapshot

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "number": number,
                "kind": kind,
                "qualified": qualified,
                "settlement": settlement,
                "original": original,
                "issuer": issuer,
                "recipient": recipient,
                "currency": currency,
                "tax_treatment": tax_treatment,
                "amount_excl_tax": amount_excl_tax,
                "tax_rate": tax_rate,
                "tax_amount": tax_amount,
                "amount_incl_tax": amount_incl_tax,
                "issued_at": issued_at,
                "snapshot": snapshot,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        number = d.pop("number")

        kind = InvoiceKindEnum(d.pop("kind"))

        qualified = d.pop("qualified")

        settlement = UUID(d.pop("settlement"))

        original = UUID(d.pop("original"))

        def _parse_issuer(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                issuer_type_0 = UUID(data)

                return issuer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        issuer = _parse_issuer(d.pop("issuer"))

        recipient = UUID(d.pop("recipient"))

        currency = d.pop("currency")

        tax_treatment = d.pop("tax_treatment")

        amount_excl_tax = d.pop("amount_excl_tax")

        tax_rate = d.pop("tax_rate")

        tax_amount = d.pop("tax_amount")

        amount_incl_tax = d.pop("amount_incl_tax")

        issued_at = datetime.datetime.fromisoformat(d.pop("issued_at"))

        snapshot = d.pop("snapshot")

        invoice = cls(
            id=id,
            number=number,
            kind=kind,
            qualified=qualified,
            settlement=settlement,
            original=original,
            issuer=issuer,
            recipient=recipient,
            currency=currency,
            tax_treatment=tax_treatment,
            amount_excl_tax=amount_excl_tax,
            tax_rate=tax_rate,
            tax_amount=tax_amount,
            amount_incl_tax=amount_incl_tax,
            issued_at=issued_at,
            snapshot=snapshot,
        )

        invoice.additional_properties = d
        return invoice

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
