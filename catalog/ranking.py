"""Ranked catalog search: a page of datasets in the order asked for, its cursors, and the facets of the query
(docs/adr/0014-search-ranks-the-newest-candidates.md, docs/adr/0016-search-candidates-from-the-rum-index.md).

A broad query matches a large share of the catalog ("振動" about 16 %), and a GIN index finds matches without
ordering them by rank; ranking every match of such a query costs time in proportion to the catalog. So a query's
results are its **candidates** and every match whose title it names exactly. Ranked by relevance on a PostgreSQL
with the RUM index of migration 0007 (``rum_index``), the candidates are its best ``CANDIDATES`` matches of all, by
RUM's rank inside the index; otherwise (another sort, no RUM, SQLite) its newest ``CANDIDATES`` matches (walked on the
``(status, created_at)`` index or taken from the GIN index, whichever the planner finds cheaper). Only candidates
are ranked (PostgreSQL: ``ts_rank_cd`` over the weighted vector; elsewhere a simpler score, ``_simple_score``) and
ordered here, in Python, which also gives keyset cursors over (score, id) for free. A query matched by fewer
datasets than ``CANDIDATES`` is ranked whole; a broader one is ranked within its candidates, and its facets are
counted there and scaled to the planner's estimate of all its matches (said so: ``approximate``).

Without a query, newest first is a keyset over ``(created_at, id)`` in the database and pages through the whole
catalog; the facets come from the newest ``CANDIDATES`` datasets of the filters the same way.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, FloatField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalog import search
from catalog.hooks import dataset_best_asks
from catalog.models import Dataset, DatasetVersion, SearchWord
from config.errors import InvalidInput

SORTS = ("relevance", "newest", "price")
# How many matches of a query are ranked (its best with RUM, else its newest; docs/adr/0014 and 0016 measure it).
CANDIDATES = 500
# RUM ranks every match of a query's text inside its index, about 2.5 µs a match at 1,000,000 datasets here
# (docs/adr/0016): a query whose tokens are held by more datasets takes its newest candidates, as without RUM.
RUM_MATCHES = 40_000
FACET_VALUES = 20
# Alternatives a misspelt word is widened to, and how similar they must be: a trigram similarity of 0.45 takes
# "spindel" to "spindle" (0.45) and "vibraton" to "vibration" (0.58) but not "submarine" to "marine" (0.42);
# difflib's ratio is higher for the same pairs, hence its own bound.
CORRECTIONS = 3
SIMILARITY = 0.45
DIFFLIB_CUTOFF = 0.75
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAMAGED_CURSOR = "Not a cursor this list handed out: follow the list's next link as it is."

Key = tuple[Any, ...]
# A query word's index → its synonyms, each as the tokens that must all match (catalog.search.synonyms_of).
Synonyms = dict[int, list[list[str]]]


@dataclass(frozen=True)
class Facets:
    """Counts per value of the query's matches. ``approximate``: counted among the ``counted`` candidates and
    scaled to ``total``, itself the planner's estimate."""

    total: int
    approximate: bool
    counted: int
    data_class: list[tuple[str, int]] = field(default_factory=list)
    category: list[tuple[str, int]] = field(default_factory=list)
    region: list[tuple[str, int]] = field(default_factory=list)
    tag: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class SearchPage:
    datasets: list[Dataset]
    sort: str
    next_cursor: str | None
    previous_cursor: str | None
    facets: Facets
    # A misspelt English word of the query → the vocabulary's words it was widened to.
    corrections: dict[str, list[str]]


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _moment(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


# --- cursors ---------------------------------------------------------------------------------------------------
#
# Opaque to clients: base64 of {"s": sort, "k": key of the last (or first) row shown, "d": "n"ext | "p"revious,
# "t": the instant of the first page}. Keys are lists of ints, floats and strings, which JSON carries exactly (a
# float's repr round-trips), so a row compares the same on every page. Datasets listed after "t" stay out of a
# query's later pages, so its candidates, and with them its pages, do not shift while someone pages through them.


@dataclass(frozen=True)
class Cursor:
    sort: str
    key: Key
    forward: bool
    as_of: datetime


_KEY_SHAPES: dict[str, tuple[Any, ...]] = {
    "relevance": (int, int | float, str),
    "newest": (int, str),
    "price": (int, int, int, str),
}


def cursor_encode(cursor: Cursor) -> str:
    payload = {"s": cursor.sort, "k": list(cursor.key), "d": "n" if cursor.forward else "p", "t": _micros(cursor.as_of)}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def cursor_decode(value: str, *, sort: str) -> Cursor:
    """The cursor, or ``InvalidInput`` naming ``cursor`` (a 400): damaged, or made for another sort."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        key = payload["k"]
        # Each sort's key has its own shape (``_key``); a key of another shape would not compare with the rows'.
        shape = _KEY_SHAPES.get(sort, ())
        if not isinstance(key, list) or len(key) != len(shape):
            raise ValueError(key)
        typed = zip(key, shape, strict=True)
        if not all(isinstance(part, kind) and not isinstance(part, bool) for part, kind in typed):
            raise ValueError(key)
        if payload["s"] != sort or payload["d"] not in ("n", "p") or not isinstance(payload["t"], int):
            raise ValueError(payload)
        as_of = _moment(payload["t"])
    except (ValueError, TypeError, KeyError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(_DAMAGED_CURSOR, errors={"cursor": [_DAMAGED_CURSOR]}) from None
    return Cursor(sort=sort, key=tuple(key), forward=payload["d"] == "n", as_of=as_of)


def _page_of(keys: list[Key], cursor: Cursor | None, size: int) -> tuple[list[Key], bool, bool]:
    """The page of ``keys`` (sorted descending) after or before the cursor, and whether rows lie before and after it."""
    if cursor is None:
        return keys[:size], False, len(keys) > size
    if cursor.forward:
        after = [key for key in keys if key < cursor.key]
        return after[:size], True, len(after) > size
    before = [key for key in keys if key > cursor.key]
    return before[-size:], len(before) > size, True


# --- matching and corrections ----------------------------------------------------------------------------------


def corrections_of(terms: list[list[str]], synonyms: Synonyms | None = None) -> dict[str, list[str]]:
    """Each English query word no dataset holds (the last word: that none starts with) → the most similar words of
    the vocabulary, by trigram similarity on PostgreSQL (pg_trgm, its GIN index) and difflib's ratio elsewhere. A
    word of the synonym table is never corrected: it is a word the market knows, whose synonyms may match."""
    found: dict[str, list[str]] = {}
    for index, tokens in enumerate(terms):
        if len(tokens) != 1 or not search.correctable(tokens[0]) or index in (synonyms or {}):
            continue
        word = tokens[0]
        known = SearchWord.objects.filter(word=word)
        if index == len(terms) - 1:
            known = SearchWord.objects.filter(word__startswith=word)
        if known.exists():
            continue
        if connection.vendor == "postgresql":
            similar = list(
                SearchWord.objects.filter(RawSQL("catalog_searchword.word %% %s", [word], output_field=BooleanField()))
                .annotate(similarity=RawSQL("similarity(catalog_searchword.word, %s)", [word]))
                .filter(similarity__gte=SIMILARITY)
                .order_by("-similarity", "word")
                .values_list("word", flat=True)[:CORRECTIONS]
            )
        else:  # a laptop's catalog: its vocabulary fits in memory
            vocabulary = SearchWord.objects.filter(word__startswith=word[0]).values_list("word", flat=True)
            similar = difflib.get_close_matches(word, list(vocabulary), n=CORRECTIONS, cutoff=DIFFLIB_CUTOFF)
        if similar:
            found[word] = similar
    return found


def text_match(
    queryset: QuerySet[Dataset],
    terms: list[list[str]],
    corrections: dict[str, list[str]],
    synonyms: Synonyms | None = None,
) -> Any:
    """The datasets holding every query token (a corrected word: it or one of its alternatives; a word of the synonym
    table: it or every token of one of its ``synonyms``)."""
    if connection.vendor == "postgresql":
        expression = search.tsquery_of(terms, corrections, synonyms)
        if expression is None:
            return queryset
        # search_vector is the generated, GIN-indexed column of migrations 0002 and 0005 (PostgreSQL only). Left
        # unqualified on purpose: in a subquery the table has an alias of Django's, and "catalog_dataset." would
        # name the outer query's row instead.
        return queryset.filter(
            RawSQL(
                "search_vector @@ to_tsquery('simple'::regconfig, %s)",
                [expression],
                output_field=BooleanField(),
            )
        )
    # SQLite: every token must occur in the token string (a scan; fine for a laptop catalog).
    for index, tokens in enumerate(terms):
        literal = Q()
        for token in tokens:
            either = Q(search_text__contains=token)
            for alternative in corrections.get(token, []):
                either |= Q(search_text__contains=alternative)
            literal &= either
        for other in (synonyms or {}).get(index, []):
            all_of = Q()
            for token in other:
                all_of &= Q(search_text__contains=token)
            literal |= all_of
        queryset = queryset.filter(literal)
    return queryset


_RUM_INDEXES: dict[str, bool] = {}


def rum_index() -> bool:
    """Whether the database has the RUM index of migration 0007 (its server had the extension), checked once per
    database: with it, a query's candidates are its best matches of all; without it, its newest."""
    if connection.vendor != "postgresql":
        return False
    name = str(connection.settings_dict["NAME"])
    if name not in _RUM_INDEXES:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'dataset_search_rum'")
            _RUM_INDEXES[name] = cursor.fetchone() is not None
    return _RUM_INDEXES[name]


def _best_first(terms: list[list[str]], corrections: dict[str, list[str]], synonyms: Synonyms) -> bool:
    """Whether a query's candidates are its best matches (through the RUM index) rather than its newest: when the
    index exists and at most ``RUM_MATCHES`` datasets hold any of the query's tokens, by the planner's estimate.
    RUM walks every token's entries in the index and ranks every match of the text whatever the filters, so its
    cost follows the tokens' counts, not the matches' (docs/adr/0016 measures it)."""
    if not rum_index():
        return False
    walked = RawSQL(
        "search_vector @@ to_tsquery('simple'::regconfig, %s)",
        [search.tsquery_of(terms, corrections, synonyms, any_token=True)],
        output_field=BooleanField(),
    )
    return _estimate(Dataset.objects.filter(walked)) <= RUM_MATCHES


def _simple_score(
    terms: list[list[str]],
    corrections: dict[str, list[str]],
    synonyms: Synonyms,
    title: str,
    tags: str,
    text: str,
) -> float:
    """SQLite's relevance: the share of the query's tokens found in the title (weight 1), the tags and region (0.4)
    and anywhere (0.1), by substring as SQLite matches; no proximity, no frequency. Each token is given with its
    corrections (a misspelt word's alternatives), and scores as the best of them, as it matches. A word of the synonym
    table scores as the best of itself and its synonyms (each the mean of its tokens), over as many tokens as it has."""

    def weight(token: str) -> float:
        return 1.0 if token in title else 0.4 if token in tags else 0.1 if token in text else 0.0

    tokens = sum(len(term) for term in terms)
    if not tokens:
        return 0.0
    score = 0.0
    for index, term in enumerate(terms):
        literal = sum(max(weight(token) for token in [token, *corrections.get(token, [])]) for token in term)
        widened = [sum(weight(token) for token in other) / len(other) * len(term) for other in synonyms.get(index, [])]
        score += max([literal, *widened])
    return round(score / tokens, 6)


def _literal_words(terms: list[list[str]], corrections: dict[str, list[str]], synonyms: Synonyms, text: str) -> int:
    """How many of the query's words with synonyms a dataset holds as typed (or corrected), by SQLite's substring."""
    return sum(
        all(any(token in text for token in [token, *corrections.get(token, [])]) for token in terms[index])
        for index in synonyms
    )


# --- the page --------------------------------------------------------------------------------------------------


def _key(sort: str, row: dict[str, Any], price: int | None) -> Key:
    """A row's position, larger first: relevance (exact title, score, id), newest (created, id), price (priced
    first, cheapest first, then newest)."""
    identity = row["id"].hex
    created = _micros(row["created_at"])
    if sort == "relevance":
        return (1 if row["exact"] else 0, float(row["score"]), identity)
    if sort == "price":
        return (1 if price is not None else 0, -(price or 0), created, identity)
    return (created, identity)


def _estimate(queryset: QuerySet[Dataset]) -> int:
    """How many rows the queryset has, as the planner estimates it (PostgreSQL), or counted (elsewhere)."""
    if connection.vendor != "postgresql":
        return queryset.count()
    plan = json.loads(queryset.values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def _facets(matches: QuerySet[Dataset], window: list[dict[str, Any]]) -> Facets:
    through = Dataset.tags.through
    ids = [row["id"] for row in window]
    tag_counts: Counter[str] = Counter()
    if ids:
        per_tag = through.objects.filter(dataset_id__in=ids).values_list("tag__name").annotate(n=Count("id"))
        tag_counts.update(dict(per_tag))
    counted = len(window)
    approximate = counted >= CANDIDATES
    total = max(_estimate(matches), counted) if approximate else counted
    scale = total / counted if approximate and counted else 1.0

    def top(counter: Counter[str], limit: int = FACET_VALUES) -> list[tuple[str, int]]:
        ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [(value, max(1, round(count * scale))) for value, count in ordered if value]

    return Facets(
        total=total,
        approximate=approximate,
        counted=counted,
        data_class=top(Counter(row["data_class"] for row in window)),
        category=top(Counter(row["category"] for row in window)),
        region=top(Counter(row["region"] for row in window)),
        tag=top(tag_counts),
    )


def _datasets(ids: list[uuid.UUID]) -> list[Dataset]:
    """The page's datasets in the order of ``ids``, with what a result shows (seller, tags, published versions)."""
    found = {
        dataset.id: dataset
        for dataset in Dataset.objects.filter(pk__in=ids)
        .select_related("seller")
        .prefetch_related(
            "tags",
            Prefetch(
                "versions",
                queryset=DatasetVersion.objects.filter(status=DatasetVersion.Status.PUBLISHED)
                .only("number", "dataset_id")
                .order_by("-number"),
                to_attr="published_versions",
            ),
        )
        .defer("search_text", "search_title", "search_tags")
    }
    return [found[i] for i in ids if i in found]


_WINDOW_FIELDS = ("id", "created_at", "data_class", "category", "region")


def _rank_sql(terms: list[list[str]], corrections: dict[str, list[str]], synonyms: Synonyms) -> RawSQL:
    """PostgreSQL's relevance: ``ts_rank_cd`` normalised below 1 (docs/adr/0014). With synonyms (docs/adr/0020), the
    number of the query's words with synonyms that the dataset holds as typed comes first: a dataset that matches as
    typed ranks above one that matches only through a synonym, whatever their ranks."""
    sql = "ts_rank_cd(search_vector, to_tsquery('simple'::regconfig, %s), 32)"
    params: list[Any] = [search.tsquery_of(terms, corrections, synonyms)]
    for index in synonyms:
        sql += " + (search_vector @@ to_tsquery('simple'::regconfig, %s))::int"
        params.append(search.tsquery_of([terms[index]], corrections, prefix_last=index == len(terms) - 1))
    return RawSQL(sql, params, output_field=FloatField())  # noqa: S611 - fixed SQL; the values are parameters


def search_page(
    *,
    filtered: QuerySet[Dataset],
    q: str,
    sort: str,
    cursor: str | None,
    page_size: int,
) -> SearchPage:
    """A page of ``filtered`` (visible datasets with the non-text filters applied) matching ``q`` in ``sort``
    order ("" means relevance with a query, newest without), after or before ``cursor``."""
    words = search.query_words(q)
    terms = [search.word_tokens(word) for word in words]
    synonyms = search.synonyms_of(words)
    sort = sort or ("relevance" if terms else "newest")
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of: {', '.join(SORTS)}.", errors={"sort": ["unknown sort"]})
    if sort == "relevance" and not terms:
        sort = "newest"  # nothing to be relevant to: the newest are the most relevant
    position = cursor_decode(cursor, sort=sort) if cursor else None
    as_of = position.as_of if position else timezone.now()
    corrections = corrections_of(terms, synonyms) if terms else {}
    matches = text_match(filtered, terms, corrections, synonyms) if terms else filtered
    bounded = matches.filter(created_at__lte=as_of)
    # The window, the exact titles and the priced datasets are read apart and merged here: as one OR of
    # subqueries the planner scans the whole table.
    if sort == "relevance" and terms and _best_first(terms, corrections, synonyms):
        # The best matches of all, by RUM's rank inside its index. (Ordered by the id too, the planner sorts every
        # match outside the index instead: seconds.)
        expression = search.tsquery_of(terms, corrections, synonyms)
        # The expression the RUM index of migration 0007 is built over (the vector as it is), as it names it: only a
        # query naming it uses that index.
        indexed = RawSQL(
            "(search_vector || ''::tsvector) @@ to_tsquery('simple'::regconfig, %s)", [expression], BooleanField()
        )
        best = RawSQL("(search_vector || ''::tsvector) <=> to_tsquery('simple'::regconfig, %s)", [expression])
        # From the filtered datasets, not the matches: with the column's match beside it, the planner intersects
        # both indexes and sorts every match outside RUM.
        ranked = filtered.filter(indexed, created_at__lte=as_of).order_by(best.asc())
        sources = [ranked.values("pk")[:CANDIDATES]]
    else:
        sources = [bounded.order_by("-created_at", "-id").values("pk")[:CANDIDATES]]
    title = search.title_tokens(q) if terms else ""
    if title:
        sources.append(bounded.filter(search_title=title).values("pk")[:CANDIDATES])
    prices: dict[uuid.UUID, int] = {}
    if sort == "price":
        prices = dataset_best_asks(limit=CANDIDATES)
        if prices:
            sources.append(bounded.filter(pk__in=list(prices)).values("pk"))
    fields: list[str] = list(_WINDOW_FIELDS)
    annotations: dict[str, Any] = {}
    if sort == "relevance":
        annotations["exact"] = ExpressionWrapper(Q(search_title=title), output_field=BooleanField())
        fields.append("exact")
        if connection.vendor == "postgresql":
            annotations["score"] = _rank_sql(terms, corrections, synonyms)
            fields.append("score")
        else:
            fields += ["search_title", "search_tags", "search_text"]
    merged: dict[uuid.UUID, dict[str, Any]] = {}
    for source in sources:
        for row in Dataset.objects.filter(pk__in=source).annotate(**annotations).values(*fields):
            merged.setdefault(row["id"], row)
    window = list(merged.values())
    if sort == "relevance" and connection.vendor != "postgresql":
        for row in window:
            score = _simple_score(
                terms, corrections, synonyms, row["search_title"], row["search_tags"], row["search_text"]
            )
            if synonyms:  # as on PostgreSQL (``_rank_sql``): the words held as typed first, then the score, below 1
                score = _literal_words(terms, corrections, synonyms, row["search_text"]) + score / 2
            row["score"] = score
    facets = _facets(matches.filter(created_at__lte=as_of), _newest(window, title))

    if not terms and sort == "newest":
        # The whole catalog in the database's order: pages past the candidates too.
        ids, has_before, has_after = _newest_page(bounded, position, page_size)
        keys = {}
    else:
        keyed = {_key(sort, row, prices.get(row["id"])): row["id"] for row in window}
        ordered = sorted(keyed, reverse=True)
        page_keys, has_before, has_after = _page_of(ordered, position, page_size)
        ids = [keyed[key] for key in page_keys]
        keys = {keyed[key]: key for key in page_keys}
    datasets = _datasets(ids)
    if keys:
        first_key, last_key = keys[ids[0]], keys[ids[-1]]
    elif datasets:
        first_key = (_micros(datasets[0].created_at), datasets[0].id.hex)
        last_key = (_micros(datasets[-1].created_at), datasets[-1].id.hex)
    next_cursor = previous_cursor = None
    if datasets and has_after:
        next_cursor = cursor_encode(Cursor(sort=sort, key=last_key, forward=True, as_of=as_of))
    if datasets and has_before:
        previous_cursor = cursor_encode(Cursor(sort=sort, key=first_key, forward=False, as_of=as_of))
    return SearchPage(
        datasets=datasets,
        sort=sort,
        next_cursor=next_cursor,
        previous_cursor=previous_cursor,
        facets=facets,
        corrections=corrections,
    )


def _newest(window: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    """The window's newest ``CANDIDATES`` rows: the facets' sample (exact-title and priced rows added to the window
    from outside it are left out, so the sample stays the candidates: the newest matches, or with RUM the best)."""
    return sorted(window, key=lambda row: (row["created_at"], row["id"]), reverse=True)[:CANDIDATES]


def _newest_page(queryset: QuerySet[Dataset], position: Cursor | None, size: int) -> tuple[list[uuid.UUID], bool, bool]:
    """A keyset page over (created_at, id), newest first, and whether rows lie before and after it."""
    rows = queryset
    if position is not None:
        try:
            created, identity = _moment(int(position.key[0])), uuid.UUID(str(position.key[1]))
        except (ValueError, OverflowError):
            raise InvalidInput(_DAMAGED_CURSOR, errors={"cursor": [_DAMAGED_CURSOR]}) from None
        if position.forward:
            rows = rows.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=identity))
        else:
            rows = rows.filter(Q(created_at__gt=created) | Q(created_at=created, id__gt=identity))
    order = ("-created_at", "-id") if position is None or position.forward else ("created_at", "id")
    ids = list(rows.order_by(*order).values_list("id", flat=True)[: size + 1])
    more = len(ids) > size
    ids = ids[:size]
    if position is None:
        return ids, False, more
    if position.forward:
        return ids, True, more
    return list(reversed(ids)), more, True


def facet_values(facets: Facets) -> Iterable[tuple[str, list[tuple[str, int]]]]:
    return (
        ("data_class", facets.data_class),
        ("category", facets.category),
        ("region", facets.region),
        ("tag", facets.tag),
    )
