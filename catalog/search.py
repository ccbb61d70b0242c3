"""Language-neutral search tokens: words for alphabetic text, overlapping bigrams for CJK text.

Japanese has no spaces, so PostgreSQL's word parsers cannot split it and trigram extraction depends on
the server's locale. Instead the catalog indexes its own tokens (the approach of pg_bigm and of
Lucene's CJKBigramFilter) in a plain ``tsvector`` with the ``simple`` configuration: a GIN index makes
any query fast, and the same code serves SQLite with substring matching.
"""

from __future__ import annotations

import re
import unicodedata

# Runs of CJK ideographs, kana, hangul (bigrammed) or of letters/digits (kept as words).
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u30fc"
_RUNS = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")
MAX_QUERY_TERMS = 16


def normalize(text: str) -> str:
    # NFKC folds full-width Latin and half-width kana, so "ＩｏＴ" finds "IoT" and "ｾﾝｻ" finds "センサ".
    return unicodedata.normalize("NFKC", text).lower()


def _run_tokens(run: str) -> list[str]:
    if _CJK_RUN.match(run):
        if len(run) == 1:
            return [run]
        return [run[i : i + 2] for i in range(len(run) - 1)]
    return [run]


def document_tokens(*texts: str) -> str:
    """The space-separated token string stored in ``Dataset.search_text``."""
    seen: dict[str, None] = {}
    for text in texts:
        for run in _RUNS.findall(normalize(text)):
            for token in _run_tokens(run):
                seen.setdefault(token, None)
    return " ".join(seen)


def query_terms(query: str) -> list[list[str]]:
    """Each query word as the tokens that must all match; a one-character CJK word matches as a prefix."""
    terms: list[list[str]] = []
    for run in _RUNS.findall(normalize(query))[:MAX_QUERY_TERMS]:
        terms.append(_run_tokens(run))
    return terms


def tsquery(query: str) -> str | None:
    """A ``to_tsquery('simple', ...)`` expression: all tokens ANDed; prefixes for the last word and CJK singles.

    Tokens contain only letters and digits (see ``_RUNS``), so no tsquery syntax can be injected; they are
    still quoted to be safe.
    """
    return tsquery_of(query_terms(query), {})


# --- ranking -----------------------------------------------------------------------------------------------------
#
# The weighted fields of a dataset (docs/adr/0014): the title's tokens weigh most, then the tags' and the region's,
# then everything (``search_text``, which the matching reads, title and tags included). English words of the
# documents feed a vocabulary (``SearchWord``) that a misspelt query word is corrected against.

_WORD = re.compile(r"^[a-z][a-z]{2,39}$")


def title_tokens(title: str) -> str:
    """The token string stored in ``Dataset.search_title``; a query whose tokens equal it names the title exactly."""
    return document_tokens(title)


def tag_tokens(tags: list[str], region: str) -> str:
    """The token string stored in ``Dataset.search_tags``: the tags and the region."""
    return document_tokens(" ".join(tags), region)


def vocabulary_words(*token_strings: str) -> set[str]:
    """The English words (3 to 40 ASCII letters) of token strings: the words a misspelling is corrected to."""
    return {token for text in token_strings for token in text.split() if _WORD.match(token)}


def correctable(word: str) -> bool:
    """Whether a query word may be corrected (an English word; CJK bigrams and numbers are taken as typed)."""
    return bool(_WORD.match(word))


def tsquery_of(terms: list[list[str]], alternatives: dict[str, list[str]], *, any_token: bool = False) -> str | None:
    """``tsquery`` for already split terms, a corrected word ORed with its ``alternatives``; with ``any_token``, the
    datasets holding any of the tokens instead of all of them."""
    if not terms:
        return None
    parts: list[str] = []
    for index, tokens in enumerate(terms):
        last = index == len(terms) - 1
        for token in tokens:
            prefix = (last and not _CJK_RUN.match(token)) or (len(token) == 1 and _CJK_RUN.match(token))
            quoted = "'" + token.replace("'", "''") + "'" + (":*" if prefix else "")
            others = ["'" + word.replace("'", "''") + "'" for word in alternatives.get(token, [])]
            parts.append(f"({' | '.join([quoted, *others])})" if others else quoted)
    return (" | " if any_token else " & ").join(parts)
