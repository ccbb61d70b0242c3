"""The synonym table (catalog/synonyms.py, docs/adr/0020) and how a query is widened with it."""

from __future__ import annotations

import re

from catalog import search, synonyms

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def test_every_group_pairs_japanese_with_english_and_no_member_has_two_meanings() -> None:
    assert len(synonyms.GROUPS) >= 40
    seen: dict[str, tuple[str, ...]] = {}
    for group in synonyms.GROUPS:
        assert any(_CJK.search(member) for member in group), f"{group}: a Japanese member"
        assert any(member.isascii() for member in group), f"{group}: an English member"
        for member in group:
            assert member == search.normalize(member).strip(), f"{member!r} is written as a query is normalised"
            assert search.word_tokens(member), f"{member!r} has tokens"
            assert member not in seen, f"{member!r} is in {seen.get(member)} and {group}"
            seen[member] = group


def test_a_word_is_widened_to_the_other_members_of_its_group_both_ways() -> None:
    assert search.synonyms_of(search.query_words("Tokyo")) == {0: [["東京"]]}
    assert search.synonyms_of(search.query_words("東京")) == {0: [["tokyo"]]}
    assert search.synonyms_of(search.query_words("ＴＯＫＹＯ")) == {0: [["東京"]]}, "full-width, upper case"
    assert search.synonyms_of(search.query_words("submarine")) == {}


def test_a_phrase_of_the_table_is_one_word_of_the_query() -> None:
    assert search.query_words("foot traffic Osaka") == ["foot traffic", "osaka"]
    assert search.query_terms("foot traffic Osaka") == [["foot", "traffic"], ["osaka"]]
    assert search.query_words("traffic foot") == ["traffic", "foot"], "only the phrase in its order"
    widened = search.synonyms_of(["foot traffic"])[0]
    assert ["人流"] in widened and ["people", "flow"] in widened


def test_the_tsquery_ors_a_word_with_its_synonyms_and_keeps_the_other_words_anded() -> None:
    assert (
        search.tsquery("bridge strain")
        == "(('bridge') | ('橋梁') | ('橋':*)) & (('strain':*) | ('ひず' & 'ずみ') | ('歪み'))"
    )
    assert search.tsquery("foot traffic") == "(('foot' & 'traffic':*) | ('人流') | ('people' & 'flow') | ('footfall'))"
    assert search.tsquery("spindle") == "'spindle':*", "a word the table does not know is matched as before"
