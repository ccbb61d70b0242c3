"""Which language a seller's text is in, for the language tag RDF literals carry (``"..."@ja``).

A dataset has one title and one description, written by its seller in whatever language; the market does not ask
which. The catalog tags them by script: text with any Japanese script (hiragana, katakana, or CJK ideographs, which
on a Japanese market are kanji) is Japanese, anything else English, the market's other language. A title such as
"Bridge strain 橋梁ひずみ" is therefore tagged ``ja``: a Japanese reader can read all of it.
"""

from __future__ import annotations

import re

# Hiragana, katakana (and their phonetic extensions), CJK ideographs (with extension A and the compatibility block),
# half-width katakana.
_JAPANESE = re.compile("[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def text_language(text: str) -> str:
    """``"ja"`` if the text holds any Japanese script, else ``"en"`` (BCP 47 tags)."""
    return "ja" if _JAPANESE.search(text) else "en"
