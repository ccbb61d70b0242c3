from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.applies_when_enum import AppliesWhenEnum

if TYPE_CHECKING:
    from ..models.clause_text import ClauseText
    from ..models.clause_title import ClauseTitle


T = TypeVar("T", bound="Clause")


@_attrs_define
class Clause:
    """
    Attributes:
        code (str):
        number (int):
        title (ClauseTitle):
        text (ClauseText):
        parameters (list[str]):
        negotiable (bool):
        applies_to (list[str] | None):
        survives (bool):
        applies_when (AppliesWhenEnum | None): Only in contracts whose terms are a subscription's (with a live stream);
            null: in every contract.

            * `subscription` - subscription
            * `stream` - stream
    """

    code: str
    number: int
    title: ClauseTitle
    text: ClauseText
    parameters: list[str]
    negotiable: bool
    applies_to: list[str] | None
    survives: bool
    applies_when: AppliesWhenEnum | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        number = self.number

        title = self.title.to_dict()

        text = self.text.to_dict()

        parameters = self.parameters

        negotiable = self.negotiable

        applies_to: list[str] | None
        if isinstance(self.applies_to, list):
            applies_to = self.applies_to

        else:
            applies_to = self.applies_to

        survives = self.survives

        applies_when: None | str
        if isinstance(self.applies_when, AppliesWhenEnum):
            applies_when = self.applies_when.value
        else:
            applies_when = self.applies_when

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "number": number,
                "title": title,
                "text": text,
                "parameters": parameters,
                "negotiable": negotiable,
                "applies_to": applies_to,
                "survives": survives,
                "applies_when": applies_when,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.clause_text import ClauseText  # noqa: PLC0415
        from ..models.clause_title import ClauseTitle  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        number = d.pop("number")

        title = ClauseTitle.from_dict(d.pop("title"))

        text = ClauseText.from_dict(d.pop("text"))

        parameters = cast(list[str], d.pop("parameters"))

        negotiable = d.pop("negotiable")

        def _parse_applies_to(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                applies_to_type_0 = cast(list[str], data)

                return applies_to_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        applies_to = _parse_applies_to(d.pop("applies_to"))

        survives = d.pop("survives")

        def _parse_applies_when(data: object) -> AppliesWhenEnum | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                applies_when_type_0 = AppliesWhenEnum(data)

                return applies_when_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AppliesWhenEnum | None, data)

        applies_when = _parse_applies_when(d.pop("applies_when"))

        clause = cls(
            code=code,
            number=number,
            title=title,
            text=text,
            parameters=parameters,
            negotiable=negotiable,
            applies_to=applies_to,
            survives=survives,
            applies_when=applies_when,
        )

        clause.additional_properties = d
        return clause

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
