from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.clause import Clause
    from ..models.template_defaults import TemplateDefaults
    from ..models.template_term_help import TemplateTermHelp
    from ..models.template_term_labels import TemplateTermLabels
    from ..models.template_terms_schema import TemplateTermsSchema
    from ..models.template_title import TemplateTitle


T = TypeVar("T", bound="Template")


@_attrs_define
class Template:
    """
    Attributes:
        code (str):
        version (int):
        contract_type (str):
        title (TemplateTitle):
        clauses (list[Clause]):
        terms_schema (TemplateTermsSchema):
        defaults (TemplateDefaults):
        term_labels (TemplateTermLabels):
        term_help (TemplateTermHelp):
    """

    code: str
    version: int
    contract_type: str
    title: TemplateTitle
    clauses: list[Clause]
    terms_schema: TemplateTermsSchema
    defaults: TemplateDefaults
    term_labels: TemplateTermLabels
    term_help: TemplateTermHelp
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        version = self.version

        contract_type = self.contract_type

        title = self.title.to_dict()

        clauses = []
        for clauses_item_data in self.clauses:
            clauses_item = clauses_item_data.to_dict()
            clauses.append(clauses_item)

        terms_schema = self.terms_schema.to_dict()

        defaults = self.defaults.to_dict()

        term_labels = self.term_labels.to_dict()

        term_help = self.term_help.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "version": version,
                "contract_type": contract_type,
                "title": title,
                "clauses": clauses,
                "terms_schema": terms_schema,
                "defaults": defaults,
                "term_labels": term_labels,
                "term_help": term_help,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.clause import Clause  # noqa: PLC0415
        from ..models.template_defaults import TemplateDefaults  # noqa: PLC0415
        from ..models.template_term_help import TemplateTermHelp  # noqa: PLC0415
        from ..models.template_term_labels import TemplateTermLabels  # noqa: PLC0415
        from ..models.template_terms_schema import TemplateTermsSchema  # noqa: PLC0415
        from ..models.template_title import TemplateTitle  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        version = d.pop("version")

        contract_type = d.pop("contract_type")

        title = TemplateTitle.from_dict(d.pop("title"))

        clauses = []
        _clauses = d.pop("clauses")
        for clauses_item_data in _clauses:
            clauses_item = Clause.from_dict(clauses_item_data)

            clauses.append(clauses_item)

        terms_schema = TemplateTermsSchema.from_dict(d.pop("terms_schema"))

        defaults = TemplateDefaults.from_dict(d.pop("defaults"))

        term_labels = TemplateTermLabels.from_dict(d.pop("term_labels"))

        term_help = TemplateTermHelp.from_dict(d.pop("term_help"))

        template = cls(
            code=code,
            version=version,
            contract_type=contract_type,
            title=title,
            clauses=clauses,
            terms_schema=terms_schema,
            defaults=defaults,
            term_labels=term_labels,
            term_help=term_help,
        )

        template.additional_properties = d
        return template

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
