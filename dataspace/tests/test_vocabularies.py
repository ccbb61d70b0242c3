"""The catalog's words as the controlled vocabularies': each mapping one rule, one test (pure Python)."""

from __future__ import annotations

import pytest

from catalog.models import Category, FileFormat, UpdateFrequency
from dataspace import vocabularies as vocab
from dataspace.language import text_language

EU = "http://publications.europa.eu/resource/authority/"


def test_every_category_but_other_has_eu_data_themes() -> None:
    for category in Category:
        themes = vocab.themes(category.value)
        assert bool(themes) == (category != Category.OTHER), category
        assert all(theme.iri.startswith(f"{EU}data-theme/") and theme.scheme == f"{EU}data-theme" for theme in themes)
    assert [theme.iri for theme in vocab.themes("weather")] == [f"{EU}data-theme/ENVI"]
    assert vocab.themes("no-such-category") == ()


@pytest.mark.parametrize(
    ("declared", "periods", "streamed", "expected"),
    [
        ("daily", (), False, "DAILY"),
        ("realtime", (), False, "UPDATE_CONT"),
        ("yearly", (), False, "ANNUAL"),
        ("irregular", (), False, "IRREG"),
        ("once", (), False, "NEVER"),
        # The declared frequency stands when it says something regular, whatever is sold.
        ("monthly", (1,), False, "MONTHLY"),
        # Nothing regular declared but sold by subscription: the shortest period's commitment.
        ("once", (7, 30), False, "WEEKLY"),
        ("irregular", (30,), False, "MONTHLY"),
        ("once", (90,), False, "QUARTERLY"),
        ("once", (365,), False, "ANNUAL"),
        ("once", (400,), False, "IRREG"),
        # A live stream is continuously updated.
        ("once", (30,), True, "UPDATE_CONT"),
        ("weekly", (30,), True, "UPDATE_CONT"),
    ],
)
def test_accrual_periodicity(declared: str, periods: tuple[int, ...], streamed: bool, expected: str) -> None:
    concept = vocab.accrual_periodicity(update_frequency=declared, subscription_period_days=periods, streamed=streamed)
    assert concept is not None and concept.iri == f"{EU}frequency/{expected}" and concept.scheme == f"{EU}frequency"


def test_every_declared_update_frequency_has_an_eu_frequency() -> None:
    assert all(vocab.accrual_periodicity(update_frequency=f.value) is not None for f in UpdateFrequency)


def test_every_stored_file_format_has_an_eu_file_type() -> None:
    for stored in FileFormat:
        described = vocab.file_format(stored.value)
        assert described is not None and described.file_type.iri.startswith(f"{EU}file-type/")
    csv = vocab.file_format("csv")
    assert csv is not None and csv.media_type == "http://www.iana.org/assignments/media-types/text/csv"
    jsonl = vocab.file_format("jsonl")
    assert jsonl is not None and jsonl.media_type is None  # no IANA registration to name


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bridge strain", "en"),
        ("橋梁ひずみ", "ja"),
        ("Bridge strain 橋梁ひずみ", "ja"),
        ("カメラ", "ja"),
        ("ｶﾒﾗ", "ja"),
        ("大阪", "ja"),
        ("Brückendehnung", "en"),
        ("", "en"),
    ],
)
def test_text_language_is_japanese_when_any_japanese_script_is_there(text: str, language: str) -> None:
    assert text_language(text) == language
