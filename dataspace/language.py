"""Which language a seller's text is in, for the language tag RDF literals carry (``"..."@ja``).

A dataset has one title and one description, written by its seller in whatever language; the market does not ask
which. The catalog tags them by script: text with any Japanese script (hiragana, katakana, or CJK ideographs, which
on a Japanese market are kanji) is Japanese, anything else English, the market's other language. A title such as
"Bridge strain 橋梁ひずみ" is therefore tagged ``ja``: a Japanese reader can read all of it.
"""

from __future__ import annotations

# Hiragana, katakana (and their phonetic extensions), CJK ideographs (with extension A and the compatibility block),
# half-width katakana.
_JAPANESE = (
    (0x3040, 0x30FF),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),
)


def text_language(text: str) -> str:
    """``"ja"`` if the text holds any Japanese script, else ``"en"`` (BCP 47 tags)."""
    return "ja" if any(low <= ord(char) <= high for char in text for low, high in _JAPANESE) else "en"
