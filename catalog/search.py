"""Language-neutral search tokens: words for alphabetic text, overlapping bigrams for CJK text.

Japanese has no spaces, so PostgreSQL's word parsers cannot split it and trigram extraction depends on
the server's locale. Instead the catalog indexes its own tokens (the approach of pg_bigm and of
Lucene's CJKBigramFilter) in a plain ``tsvector`` with the ``simple`` configuration: a GIN index makes
any query fast, and the same code serves SQLite with substring matching.
"""

from __future__ import annotations

import re
import unicodedata

from catalog import synonyms as synonym_table

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


def query_words(query: str) -> list[str]:
    """The query's words as typed (normalised): its runs, except that runs in a row that make a phrase of the synonym
    table ("foot traffic") are one word, so that the phrase, not each of its words, is widened to its synonyms."""
    runs = _RUNS.findall(normalize(query))[:MAX_QUERY_TERMS]
    words: list[str] = []
    index = 0
    while index < len(runs):
        for length in range(min(_LONGEST_PHRASE, len(runs) - index), 1, -1):
            phrase = " ".join(runs[index : index + length])
            if phrase in _SYNONYMS:
                words.append(phrase)
                index += length
                break
        else:
            words.append(runs[index])
            index += 1
    return words


def word_tokens(word: str) -> list[str]:
    """The tokens a query word (or a synonym) must all match: itself, each word of a phrase, a CJK run's bigrams."""
    return [token for run in _RUNS.findall(normalize(word)) for token in _run_tokens(run)]


def query_terms(query: str) -> list[list[str]]:
    """Each query word as the tokens that must all match; a one-character CJK word matches as a prefix."""
    return [word_tokens(word) for word in query_words(query)]


def synonyms_of(words: list[str]) -> dict[int, list[list[str]]]:
    """For each query word (by its index in ``words``) that the synonym table knows, the other members of its group,
    each as the tokens that must all match (``catalog/synonyms.py``, docs/adr/0020)."""
    return {
        index: [word_tokens(other) for other in _SYNONYMS[word]]
        for index, word in enumerate(words)
        if word in _SYNONYMS
    }


def tsquery(query: str) -> str | None:
    """A ``to_tsquery('simple', ...)`` expression: all tokens ANDed; prefixes for the last word and CJK singles; a
    word of the synonym table ORed with its synonyms.

    Tokens contain only letters and digits (see ``_RUNS``), so no tsquery syntax can be injected; they are
    still quoted to be safe.
    """
    words = query_words(query)
    return tsquery_of([word_tokens(word) for word in words], {}, synonyms_of(words))


def _synonym_table() -> dict[str, list[str]]:
    """Each member of a group (normalised) → the group's other members."""
    table: dict[str, list[str]] = {}
    for group in synonym_table.GROUPS:
        members = list(dict.fromkeys(" ".join(_RUNS.findall(normalize(member))) for member in group))
        for member in members:
            table.setdefault(member, [])
            table[member] += [other for other in members if other != member and other not in table[member]]
    return table


_SYNONYMS = _synonym_table()
_LONGEST_PHRASE = max(member.count(" ") + 1 for member in _SYNONYMS)


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


def _quoted(token: str, *, prefix: bool) -> str:
    return "'" + token.replace("'", "''") + "'" + (":*" if prefix else "")


def tsquery_of(
    terms: list[list[str]],
    alternatives: dict[str, list[str]],
    synonyms: dict[int, list[list[str]]] | None = None,
    *,
    any_token: bool = False,
    prefix_last: bool = True,
) -> str | None:
    """``tsquery`` for already split terms, a corrected word ORed with its ``alternatives`` and a term with its
    ``synonyms`` (by the term's index: each synonym's tokens all matching instead of the term's); with ``any_token``,
    the datasets holding any of the tokens instead of all of them; without ``prefix_last``, the last word is whole
    (``terms`` is then one word taken out of a longer query)."""
    if not terms:
        return None
    joiner = " | " if any_token else " & "
    parts: list[str] = []
    for index, tokens in enumerate(terms):
        last = prefix_last and index == len(terms) - 1
        literal: list[str] = []
        for position, token in enumerate(tokens):
            # The last word is a prefix as it may not be typed out yet (a phrase's last word only).
            prefix = (last and position == len(tokens) - 1 and not _CJK_RUN.match(token)) or single_cjk(token)
            quoted = _quoted(token, prefix=prefix)
            others = [_quoted(word, prefix=False) for word in alternatives.get(token, [])]
            literal.append(f"({' | '.join([quoted, *others])})" if others else quoted)
        widened = (synonyms or {}).get(index, [])
        if not widened:
            parts += literal
            continue
        groups = [literal, *([_quoted(token, prefix=single_cjk(token)) for token in other] for other in widened)]
        parts.append("(" + " | ".join(f"({joiner.join(group)})" for group in groups) + ")")
    return joiner.join(parts)


def single_cjk(token: str) -> bool:
    """A one-character CJK word, which matches as a prefix of the bigrams (橋 finds 橋梁)."""
    return len(token) == 1 and bool(_CJK_RUN.match(token))
