from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.sort_enum import SortEnum

if TYPE_CHECKING:
    from ..models.dataset import Dataset
    from ..models.facets import Facets
    from ..models.search_page_corrections import SearchPageCorrections


T = TypeVar("T", bound="SearchPage")


@_attrs_define
class SearchPage:
    """
    Attributes:
        results (list[Dataset]):
        next_ (None | str):
        previous (None | str):
        sort (SortEnum): * `relevance` - relevance
            * `newest` - newest
            * `price` - price
        facets (Facets):
        corrections (SearchPageCorrections): A query word no dataset holds → the similar words it was widened to.
    """

    results: list[Dataset]
    next_: None | str
    previous: None | str
    sort: SortEnum
    facets: Facets
    corrections: SearchPageCorrections
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        next_: None | str
        next_ = self.next_

        previous: None | str
        previous = self.previous

        sort = self.sort.value

        facets = self.facets.to_dict()

        corrections = self.corrections.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "results": results,
                "next": next_,
                "previous": previous,
                "sort": sort,
                "facets": facets,
                "corrections": corrections,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dataset import Dataset  # noqa: PLC0415
        from ..models.facets import Facets  # noqa: PLC0415
        from ..models.search_page_corrections import SearchPageCorrections  # noqa: PLC0415

        d = dict(src_dict)
        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = Dataset.from_dict(results_item_data)

            results.append(results_item)

        def _parse_next_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_ = _parse_next_(d.pop("next"))

        def _parse_previous(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous = _parse_previous(d.pop("previous"))

        sort = SortEnum(d.pop("sort"))

        facets = Facets.from_dict(d.pop("facets"))

        corrections = SearchPageCorrections.from_dict(d.pop("corrections"))

        search_page = cls(
            results=results,
            next_=next_,
            previous=previous,
            sort=sort,
            facets=facets,
            corrections=corrections,
        )

        search_page.additional_properties = d
        return search_page

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
