"""Text the market refuses: what no UTF-8 encoder and no PostgreSQL column can hold, found anywhere in parsed
JSON; and, in the fields people read, what could make text display as something it is not (below).

JSON can spell two things that are not storable text: a lone surrogate (``"\\ud800"``: half of a UTF-16 pair,
not a Unicode character, so encoding it as UTF-8 fails) and U+0000 (``"\\u0000"``, which PostgreSQL refuses in
``text`` and ``jsonb``). Raw UTF-8 bytes cannot carry either past a strict decoder (a NUL byte can, but JSON
requires it escaped); only ``\\u`` escapes can, so a caller holding the raw text may skip the walk when it has none.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy


def unstorable_text(value: Any) -> str | None:
    """What in ``value`` (a parsed JSON value: keys and strings at any depth) is not storable text, said for
    an error message, or None. Iterative: any depth the JSON parser accepted is walked."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "a NUL character (\\u0000)"
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return "a lone surrogate (\\ud800-\\udfff), half of a UTF-16 pair"
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


# --- text people read -------------------------------------------------------------------------------------------
# Text typed by one party and shown to another (a title, a description, an organisation's name, a filename) can
# be made to display as something it is not: U+202E turns ``Invoice\u202egpj.exe`` into ``Invoiceexe.jpg`` on
# screen, a control character hides in a terminal or a log, and a name made of zero-width spaces looks empty.
# Every serializer and form field that accepts such text carries ``DisplayableText`` (``displayable_line`` or,
# where line breaks belong, ``displayable_text``); services without a form (an organisation's name) ask
# ``text_refusal``. The rule validates and never rewrites: what is stored is exactly what was entered, so a legal
# name such as ``（株）サクラ物流`` keeps its full-width parentheses.

# Embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069): they reorder what follows them. The marks
# LRM, RLM and ALM (U+200E, U+200F, U+061C) are allowed: they only set the direction of neutral characters next
# to them, which mixed Arabic or Hebrew and Latin text needs, and cannot reverse a run of letters.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# The only control characters (category Cc) long text may hold; a single line holds none. U+2028 and U+2029
# (line and paragraph separators) are line breaks by another name and follow the same rule.
LONG_TEXT_BREAKS = frozenset("\t\n\r\u2028\u2029")
_LINE_SEPARATORS = frozenset("\u2028\u2029")

# What renders as nothing besides whitespace and format characters (category Cf: zero-width space, ZWJ, ZWNJ,
# word joiner, BOM, the bidi marks...): the rest of Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties:
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian variation selectors, variation
# selectors and their supplement) and the blank Braille pattern, which fonts draw empty.
_INVISIBLE = frozenset(
    [
        "\u034f",
        "\u115f",
        "\u1160",
        "\u17b4",
        "\u17b5",
        "\u180b",
        "\u180c",
        "\u180d",
        "\u180f",
        "\u2800",
        "\u3164",
        "\uffa0",
        *map(chr, range(0xFE00, 0xFE10)),
        *map(chr, range(0xE0100, 0xE01F0)),
    ]
)


@dataclass(frozen=True)
class TextRefusal:
    """Why a text is refused: ``code`` is one of ``bidi_control``, ``control_character``, ``invisible``;
    ``character`` the first offending one (empty for ``invisible``)."""

    code: str
    character: str = ""

    @property
    def character_label(self) -> str:
        """``U+202E RIGHT-TO-LEFT OVERRIDE``; control characters have no name, only their number."""
        if not self.character:
            return ""
        name = unicodedata.name(self.character, "")
        number = f"U+{ord(self.character):04X}"
        return f"{number} {name}" if name else number

    def __str__(self) -> str:
        """The English sentence services put in their errors (the API's language)."""
        with translation.override("en"):
            return str(MESSAGES[self.code]) % {"char": self.character_label}


# One sentence per refusal, translated where a page shows it; the API and the services say it in English.
MESSAGES = {
    "bidi_control": gettext_lazy(
        "Contains %(char)s, a bidirectional control character: it makes text display in another order than it reads."
    ),
    "control_character": gettext_lazy("Contains the control character %(char)s, which this field does not allow."),
    "invisible": gettext_lazy("Contains nothing visible: only spaces or invisible characters."),
}


def text_refusal(value: str, *, multiline: bool = False) -> TextRefusal | None:
    """Why ``value`` may not be stored as text people read, or None. ``multiline``: long text (a description),
    where tabs and line breaks are allowed. An empty value is not refused: whether one is required is the
    field's business."""
    for character in value:
        if character in BIDI_CONTROLS:
            return TextRefusal("bidi_control", character)
        if (unicodedata.category(character) == "Cc" or character in _LINE_SEPARATORS) and not (
            multiline and character in LONG_TEXT_BREAKS
        ):
            return TextRefusal("control_character", character)
    if value and not any(_visible(character) for character in unicodedata.normalize("NFKC", value)):
        return TextRefusal("invisible")
    return None


def _visible(character: str) -> bool:
    return not (character.isspace() or unicodedata.category(character) == "Cf" or character in _INVISIBLE)


def displayable(value: str) -> str:
    """``value`` without the characters that could disguise it (control and format characters, line and
    paragraph separators): for text the market writes out of stored values, such as a download's filename, where
    a value stored before the rule existed must not spoof either."""
    return "".join(character for character in value if unicodedata.category(character) not in ("Cc", "Cf", "Zl", "Zp"))


@deconstructible
class DisplayableText:
    """The validator of every serializer and form field that accepts text people read (see ``text_refusal``).

    One class for DRF and Django forms alike: DRF turns a Django ``ValidationError`` into its own, naming the
    field. The messages are translated where shown: the API answers in English, a page in the reader's language."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        refusal = text_refusal(value, multiline=self.multiline)
        if refusal is not None:
            raise ValidationError(MESSAGES[refusal.code], code=refusal.code, params={"char": refusal.character_label})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DisplayableText) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((DisplayableText, self.multiline))


# A single line (a title, a name) and long text (a description), where tabs and line breaks are allowed.
displayable_line = DisplayableText()
displayable_text = DisplayableText(multiline=True)


def displayable_filename(upload: Any) -> None:
    """The validator of an upload field: the file's name is shown (a version's page, the API), so it is a line
    people read. (Django's multipart parser already drops non-printable characters from it; this holds whatever
    the parser.)"""
    displayable_line(getattr(upload, "name", None) or "")
