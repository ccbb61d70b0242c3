"""The validation checks of a dataset version (``DatasetVersion.checks``) as people read them.

Validation stores each check's ``detail`` as plain English (``catalog.validation.report.Check``), the same for
every reader and for the API; the page translates the sentences it knows when it shows them. The outcome of a
check that passed is said in a few fixed sentences, listed here with the numbers they carry. A detail that
matches none (most failures, which quote the file) is shown as it was written, so nothing is ever lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

# A pattern of a whole stored detail, and what the page says instead: a message whose placeholders are the
# pattern's named groups (translated, then filled in), or a function of the match where a plural needs one.
Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]


def _count(text: str) -> int:
    return int(text.replace(",", ""))


# What a binary file looks like (catalog.validation._reader and catalog.uploads name it so), as the page says it.
_BINARY_KINDS: dict[str, str] = {
    "a ZIP archive (an Excel .xlsx workbook is one); export the sheet as CSV (UTF-8)": gettext_noop(
        "a ZIP archive (an Excel .xlsx workbook is one); export the sheet as CSV (UTF-8)"
    ),
    "a gzip archive; upload the file uncompressed": gettext_noop("a gzip archive; upload the file uncompressed"),
    "a PDF document": gettext_noop("a PDF document"),
    "a Parquet file; export it as CSV or JSON Lines": gettext_noop("a Parquet file; export it as CSV or JSON Lines"),
    "a legacy Office document (.xls); export the sheet as CSV (UTF-8)": gettext_noop(
        "a legacy Office document (.xls); export the sheet as CSV (UTF-8)"
    ),
    "a PNG image": gettext_noop("a PNG image"),
    "a JPEG image": gettext_noop("a JPEG image"),
    "a gzip archive": gettext_noop("a gzip archive"),
    "a ZIP archive (an .xlsx workbook is one)": gettext_noop("a ZIP archive (an .xlsx workbook is one)"),
    "a legacy Office document": gettext_noop("a legacy Office document"),
    "a binary file (it contains NUL bytes)": gettext_noop("a binary file (it contains NUL bytes)"),
}
# Why bytes are not text (catalog.validation._reader), as the page says it; a byte's value is kept.
_DECODE_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"invalid byte (?P<byte>0x[0-9A-F]{2})"), gettext_noop("invalid byte %(byte)s")),
    (
        re.compile(r"the file ends in the middle of a multi-byte character"),
        gettext_noop("the file ends in the middle of a multi-byte character"),
    ),
]


def _known(table: dict[str, str], text: str) -> str:
    return _(table[text]) if text in table else text


def _reason(text: str) -> str:
    for pattern, message in _DECODE_REASONS:
        match = pattern.fullmatch(text)
        if match:
            return _(message) % match.groupdict()
    return text


def _said(message: str, match: re.Match[str], **translated: str) -> str:
    """``message`` translated and filled with the match's groups, those in ``translated`` replaced."""
    return _(message) % {**match.groupdict(), **translated}


def _not_text(m: re.Match[str]) -> str:
    kind = m["kind"]
    if kind is None:
        return _said(
            gettext_noop(
                "The file contains NUL bytes (first at byte offset %(offset)s, line %(line)s), so it is binary, not "
                "text. Upload a UTF-8 CSV or JSON Lines file."
            ),
            m,
        )
    return _said(
        gettext_noop(
            "The file contains NUL bytes (first at byte offset %(offset)s, line %(line)s), so it is binary, not text: "
            "it looks like %(kind)s. Upload a UTF-8 CSV or JSON Lines file."
        ),
        m,
        kind=_known(_BINARY_KINDS, kind),
    )


def _not_utf8(m: re.Match[str]) -> str:
    reason = _reason(m["reason"])
    if m["guess"]:
        return _said(
            gettext_noop(
                "The file is not valid UTF-8 (%(reason)s at line %(line)s, byte offset %(offset)s). It looks like "
                "%(guess)s; re-save as UTF-8."
            ),
            m,
            reason=reason,
        )
    return _said(
        gettext_noop(
            "The file is not valid UTF-8 (%(reason)s at line %(line)s, byte offset %(offset)s). Re-save it as UTF-8."
        ),
        m,
        reason=reason,
    )


def _malformed_csv(m: re.Match[str]) -> str:
    if m["quotes"]:
        return _said(
            gettext_noop(
                "%(count)s malformed record(s) (expected %(fields)s fields each): %(summary)s. Fields that contain "
                "commas must be enclosed in double quotes."
            ),
            m,
        )
    return _said(gettext_noop("%(count)s malformed record(s) (expected %(fields)s fields each): %(summary)s."), m)


def _not_iso(m: re.Match[str]) -> str:
    if m["epoch"]:
        return _said(
            gettext_noop(
                "timestamp column %(column)s: %(count)s value(s) are not ISO 8601 date-times (e.g. "
                "2024-01-31T23:50:00+09:00): %(summary)s. They look like Unix epoch numbers; write ISO 8601 instead."
            ),
            m,
        )
    return _said(
        gettext_noop(
            "timestamp column %(column)s: %(count)s value(s) are not ISO 8601 date-times (e.g. "
            "2024-01-31T23:50:00+09:00): %(summary)s."
        ),
        m,
    )


# The advice for direct identifiers found in data to be listed, as it is said since it follows the APPI: anonymously
# processed information holds no identifier, and pseudonymously processed information may not be provided to a third
# party at all. Details stored before (which advised pseudonymising) are shown with this advice too.
IDENTIFIER_ADVICE = gettext_noop(
    "%(count)s value(s) look like direct identifiers, in column(s) %(columns)s. First: %(first)s. Delete these "
    "columns, or delete or generalise the values, before listing: anonymously processed information may hold no "
    "identifier, and pseudonymously processed information may not be provided to third parties (APPI), so replacing "
    "them with pseudonyms is not enough."
)


# Keyed by the check's name; each pattern matches a whole detail, as catalog.validation and
# catalog.services.versions write it.
_RULES: dict[str, list[Rule]] = {
    "checksum": [
        (
            re.compile(r"SHA-256 (?P<sha>[0-9a-f]{64}) matches the upload\."),
            gettext_noop("SHA-256 %(sha)s matches the upload."),
        ),
    ],
    "stored_file": [
        (
            re.compile(r"The uploaded file is missing from storage\."),
            gettext_noop("The uploaded file is missing from storage."),
        ),
    ],
    "encoding": [
        (re.compile(r"UTF-8\."), gettext_noop("UTF-8.")),
        (re.compile(r"The file is empty\."), gettext_noop("The file is empty.")),
        (
            re.compile(r"The file is empty \(it contains only a UTF-8 byte-order mark\)\."),
            gettext_noop("The file is empty (it contains only a UTF-8 byte-order mark)."),
        ),
        (
            re.compile(r"The file is UTF-16 \(it starts with a UTF-16 byte-order mark\); re-save it as UTF-8\."),
            gettext_noop("The file is UTF-16 (it starts with a UTF-16 byte-order mark); re-save it as UTF-8."),
        ),
        (
            re.compile(
                r"The file contains NUL bytes \(first at byte offset (?P<offset>\d+), line (?P<line>\d+)\), so it is "
                r"binary, not text(?:: it looks like (?P<kind>.+?))?\. Upload a UTF-8 CSV or JSON Lines file\."
            ),
            _not_text,
        ),
        (
            re.compile(
                r"The file is not valid UTF-8 \((?P<reason>.+?) at line (?P<line>\d+), byte offset (?P<offset>\d+)\)\. "
                r"(?:Re-save it as UTF-8\.|It looks like (?P<guess>.+?); re-save as UTF-8\.)"
            ),
            _not_utf8,
        ),
        (
            re.compile(
                r"The file is not valid Shift_JIS \(cp932\), as its first lines are \((?P<reason>.+?) at line "
                r"(?P<line>\d+), byte offset (?P<offset>\d+)\)\. Re-save it as UTF-8\."
            ),
            lambda m: _said(
                gettext_noop(
                    "The file is not valid Shift_JIS (cp932), as its first lines are (%(reason)s at line %(line)s, "
                    "byte offset %(offset)s). Re-save it as UTF-8."
                ),
                m,
                reason=_reason(m["reason"]),
            ),
        ),
        (
            re.compile(r"UTF-8 as far as it was read \(up to line (?P<line>[\d,]+)\)\."),
            gettext_noop("UTF-8 as far as it was read (up to line %(line)s)."),
        ),
        (
            re.compile(
                r"The file is not a Parquet file \(it does not start with the Parquet magic number PAR1\); upload CSV "
                r"or JSON Lines under their own extension\."
            ),
            gettext_noop(
                "The file is not a Parquet file (it does not start with the Parquet magic number PAR1); upload CSV or "
                "JSON Lines under their own extension."
            ),
        ),
        (re.compile(r"Shift_JIS \(cp932\)\."), gettext_noop("Shift_JIS (cp932).")),
        (
            re.compile(r"Parquet \(text is UTF-8 by the format\)\."),
            gettext_noop("Parquet (text is UTF-8 by the format)."),
        ),
        (
            re.compile(r"UTF-8 \(with a byte-order mark, which is ignored\)\."),
            gettext_noop("UTF-8 (with a byte-order mark, which is ignored)."),
        ),
    ],
    "parse": [
        (
            re.compile(r"CSV with (?P<cols>[\d,]+) columns and (?P<rows>[\d,]+) data rows\."),
            gettext_noop("CSV with %(cols)s columns and %(rows)s data rows."),
        ),
        (
            re.compile(r"JSON Lines with (?P<rows>[\d,]+) objects and (?P<keys>[\d,]+) distinct keys\."),
            gettext_noop("JSON Lines with %(rows)s objects and %(keys)s distinct keys."),
        ),
        (
            re.compile(
                r"Parquet with (?P<cols>[\d,]+) columns and (?P<rows>[\d,]+) rows in (?P<groups>[\d,]+) row groups?\."
            ),
            gettext_noop("Parquet with %(cols)s columns and %(rows)s rows in %(groups)s row group(s)."),
        ),
        (
            re.compile(r"The file has a header but no data rows\."),
            gettext_noop("The file has a header but no data rows."),
        ),
        (
            re.compile(r"The first line is empty; it must be a header naming the columns\."),
            gettext_noop("The first line is empty; it must be a header naming the columns."),
        ),
        (
            re.compile(
                r"Header column\(s\) (?P<columns>[\d, ]+) have no name; every column needs a unique name"
                r"(?P<comma> \(is there a trailing comma\?\))?\."
            ),
            lambda m: _said(
                gettext_noop("Header column(s) %(columns)s have no name; every column needs a unique name."), m
            )
            if not m["comma"]
            else _said(
                gettext_noop(
                    "Header column(s) %(columns)s have no name; every column needs a unique name (is there a trailing "
                    "comma?)."
                ),
                m,
            ),
        ),
        (
            re.compile(r"Duplicate column names in the header: (?P<names>.+)\.", re.S),
            gettext_noop("Duplicate column names in the header: %(names)s."),
        ),
        (
            re.compile(r"Line 1: the header cannot be parsed: (?P<error>.+)\.", re.S),
            gettext_noop("Line 1: the header cannot be parsed: %(error)s."),
        ),
        (
            re.compile(
                r"(?P<count>[\d,]+) malformed record\(s\) \(expected (?P<fields>\d+) fields each\): (?P<summary>.+?)\."
                r"(?P<quotes> Fields that contain commas must be enclosed in double quotes\.)?",
                re.S,
            ),
            _malformed_csv,
        ),
        (
            re.compile(r"(?P<count>[\d,]+) line\(s\) are not valid JSON objects: (?P<summary>.+)\.", re.S),
            gettext_noop("%(count)s line(s) are not valid JSON objects: %(summary)s."),
        ),
        (
            re.compile(r"No line is a JSON object: (?P<summary>.+)\.", re.S),
            gettext_noop("No line is a JSON object: %(summary)s."),
        ),
        (
            re.compile(r"The JSON objects have no keys, so there are no columns\."),
            gettext_noop("The JSON objects have no keys, so there are no columns."),
        ),
        (
            re.compile(r"The file contains no JSON objects, only blank lines\."),
            gettext_noop("The file contains no JSON objects, only blank lines."),
        ),
        (
            re.compile(r"The Parquet file cannot be read: (?P<error>.+)\.", re.S),
            gettext_noop("The Parquet file cannot be read: %(error)s."),
        ),
    ],
    "schema": [
        (
            re.compile(r"There are no data rows to infer column types from\."),
            gettext_noop("There are no data rows to infer column types from."),
        ),
        (
            re.compile(r"Inferred from the well-formed rows only \(fix the parse errors first\): (?P<schema>.+)", re.S),
            gettext_noop("Inferred from the well-formed rows only (fix the parse errors first): %(schema)s"),
        ),
    ],
    "row_count": [
        (
            re.compile(r"(?P<rows>[\d,]+) rows\."),
            lambda m: ngettext("%(rows)s row.", "%(rows)s rows.", _count(m["rows"])) % {"rows": m["rows"]},
        ),
        (re.compile(r"No data rows\."), gettext_noop("No data rows.")),
    ],
    "timestamp": [
        (
            re.compile(
                r"timestamp column (?P<column>.+?): (?P<start>\S+) … (?P<end>\S+) \((?P<values>[\d,]+) values\)"
            ),
            gettext_noop("timestamp column %(column)s: %(start)s … %(end)s (%(values)s values)"),
        ),
        (
            re.compile(
                r"timestamp column (?P<column>.+?): (?P<count>[\d,]+) value\(s\) are not ISO 8601 date-times \(e\.g\. "
                r"2024-01-31T23:50:00\+09:00\): (?P<summary>.+?)\."
                r"(?P<epoch> They look like Unix epoch numbers; write ISO 8601 instead\.)?",
                re.S,
            ),
            _not_iso,
        ),
        (
            re.compile(
                r"timestamp column (?P<column>.+?) mixes values with a UTC offset \(first at line (?P<aware>\d+)\) and "
                r"values without one \(first at line (?P<naive>\d+)\); give every value an offset, e\.g\. \+09:00, "
                r"or none\.",
                re.S,
            ),
            gettext_noop(
                "timestamp column %(column)s mixes values with a UTC offset (first at line %(aware)s) and values "
                "without one (first at line %(naive)s); give every value an offset, e.g. +09:00, or none."
            ),
        ),
        (
            re.compile(r"timestamp column (?P<column>.+) has no values\.", re.S),
            gettext_noop("timestamp column %(column)s has no values."),
        ),
        (
            re.compile(
                r"No timestamp column: name one column (?P<names>.+?) or give an ISO 8601 date-time column "
                r"\(e\.g\. 2024-01-31T23:50:00\+09:00\)\.",
                re.S,
            ),
            gettext_noop(
                "No timestamp column: name one column %(names)s or give an ISO 8601 date-time column (e.g. "
                "2024-01-31T23:50:00+09:00)."
            ),
        ),
    ],
    "direct_identifiers": [
        (
            re.compile(r"No e-mail addresses, phone numbers or 12-digit individual numbers \(My Number\) found\."),
            gettext_noop("No e-mail addresses, phone numbers or 12-digit individual numbers (My Number) found."),
        ),
        (
            re.compile(
                r"(?P<count>[\d,]+) value\(s\) look like direct identifiers, in column\(s\) (?P<columns>.+?)\. "
                r"First: (?P<first>.+)\. (?:Remove these columns or pseudonymise the values before listing\.|Delete "
                r"these columns, or delete or generalise the values, before listing: anonymously processed information "
                r"may hold no identifier, and pseudonymously processed information may not be provided to third "
                r"parties \(APPI\), so replacing them with pseudonyms is not enough\.)",
                re.S,
            ),
            IDENTIFIER_ADVICE,
        ),
    ],
    "k_anonymity": [
        (
            re.compile(
                r"k = (?P<measured>[\d,]+) over (?P<over>\(.*\)): all (?P<groups>[\d,]+) groups have at least "
                r"(?P<k>\d+) rows\."
            ),
            gettext_noop("k = %(measured)s over %(over)s: all %(groups)s groups have at least %(k)s rows."),
        ),
        (
            re.compile(
                r"k = (?P<measured>[\d,]+) over (?P<over>\(.*\)): (?P<small>[\d,]+) of (?P<groups>[\d,]+) groups "
                r"\((?P<rows>[\d,]+) rows\) have fewer than (?P<k>\d+) rows, e\.g\. (?P<shown>.+)\. Generalise these "
                r"columns \(wider bands, coarser regions\) or suppress the rare combinations\.",
                re.S,
            ),
            gettext_noop(
                "k = %(measured)s over %(over)s: %(small)s of %(groups)s groups (%(rows)s rows) have fewer than %(k)s "
                "rows, e.g. %(shown)s. Generalise these columns (wider bands, coarser regions) or suppress the rare "
                "combinations."
            ),
        ),
        (
            re.compile(r"k cannot be measured over (?P<over>\(.*\)): there are no rows\.", re.S),
            gettext_noop("k cannot be measured over %(over)s: there are no rows."),
        ),
        (
            re.compile(
                r"No quasi-identifiers were declared; declare at least one column \(e\.g\. age band, prefecture, "
                r"gender\) that could identify a person in combination with others\."
            ),
            gettext_noop(
                "No quasi-identifiers were declared; declare at least one column (e.g. age band, prefecture, gender) "
                "that could identify a person in combination with others."
            ),
        ),
        (
            re.compile(
                r"Declared quasi-identifier column\(s\) not found in the file: (?P<missing>.+?)\. The columns are: "
                r"(?P<names>.+)\.",
                re.S,
            ),
            gettext_noop(
                "Declared quasi-identifier column(s) not found in the file: %(missing)s. The columns are: %(names)s."
            ),
        ),
    ],
    # catalog/validation/_limits.py
    "limits": [
        (
            re.compile(
                r"The header has (?P<count>[\d,]+) columns; the market accepts at most (?P<limit>[\d,]+) columns "
                r"\(setting ICHIBA_MAX_COLUMNS\)\."
            ),
            gettext_noop(
                "The header has %(count)s columns; the market accepts at most %(limit)s columns "
                "(setting ICHIBA_MAX_COLUMNS)."
            ),
        ),
        (
            re.compile(
                r"Line (?P<line>[\d,]+) brings the distinct keys to (?P<count>[\d,]+); the market accepts at most "
                r"(?P<limit>[\d,]+) columns \(setting ICHIBA_MAX_COLUMNS\)\."
            ),
            gettext_noop(
                "Line %(line)s brings the distinct keys to %(count)s; the market accepts at most %(limit)s columns "
                "(setting ICHIBA_MAX_COLUMNS)."
            ),
        ),
        (
            re.compile(
                r"Line (?P<line>[\d,]+) is longer than (?P<limit>[\d,]+) bytes, the market's limit for one line "
                r"\(setting ICHIBA_MAX_LINE_BYTES\), so the file was not read further; a (?P<fmt>CSV|JSONL) file "
                r"needs a line break after each record\."
            ),
            gettext_noop(
                "Line %(line)s is longer than %(limit)s bytes, the market's limit for one line (setting "
                "ICHIBA_MAX_LINE_BYTES), so the file was not read further; a %(fmt)s file needs a line break after "
                "each record."
            ),
        ),
        (
            re.compile(
                r"Line (?P<line>[\d,]+), column (?P<column>.+): a value of (?P<size>[\d,]+) bytes is larger than "
                r"(?P<limit>[\d,]+) bytes, the market's limit for one cell \(setting ICHIBA_MAX_CELL_BYTES\)\."
            ),
            gettext_noop(
                "Line %(line)s, column %(column)s: a value of %(size)s bytes is larger than %(limit)s bytes, the "
                "market's limit for one cell (setting ICHIBA_MAX_CELL_BYTES)."
            ),
        ),
    ],
    # catalog/services/versions.py::_interrupted
    "interrupted": [
        (
            re.compile(
                r"Validation was interrupted (?P<count>[\d,]+) times \(its worker stopped before finishing: it ran "
                r"out of memory or time\), so it is not tried again; the market allows (?P<limit>[\d,]+) attempts "
                r"\(setting ICHIBA_VALIDATION_MAX_ATTEMPTS\)\. Check the file, then upload it again or ask the "
                r"market operator\."
            ),
            gettext_noop(
                "Validation was interrupted %(count)s times (its worker stopped before finishing: it ran out of "
                "memory or time), so it is not tried again; the market allows %(limit)s attempts (setting "
                "ICHIBA_VALIDATION_MAX_ATTEMPTS). Check the file, then upload it again or ask the market operator."
            ),
        ),
    ],
}


def check_detail(name: str, detail: Any) -> str:
    """A stored check's ``detail`` in the reader's language when it is one of the sentences above."""
    text = str(detail or "")
    for pattern, say in _RULES.get(name, []):
        match = pattern.fullmatch(text)
        if match:
            return say(match) if callable(say) else _(say) % match.groupdict()
    return text


# --- an upload refused while it streamed in, or before validation (catalog.uploads, catalog.services.versions) ------
# The API's problem detail, plain English (ADR 9), as the upload page says it: the plain form through
# ``upload_refusal``, the page's script through the same table (``upload_refusals_for_script``).
_UPLOAD_RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"The file is (?P<what>.+), not text\. Upload CSV, JSON Lines or Parquet\."),
        gettext_noop("The file is %(what)s, not text. Upload CSV, JSON Lines or Parquet."),
    ),
    (
        re.compile(
            r"The file is neither UTF-8 nor Shift_JIS \(cp932\) text \(invalid byte at line (?P<line>\d+), byte "
            r"(?P<byte>\d+)\)\. Re-save it as UTF-8\."
        ),
        gettext_noop(
            "The file is neither UTF-8 nor Shift_JIS (cp932) text (invalid byte at line %(line)s, byte %(byte)s). "
            "Re-save it as UTF-8."
        ),
    ),
    (
        re.compile(r"The file is larger than the limit of (?P<limit>[\d,]+) bytes\."),
        gettext_noop("The file is larger than the limit of %(limit)s bytes."),
    ),
    (re.compile(r"The file is empty\."), gettext_noop("The file is empty.")),
    (
        re.compile(r"Upload a \.csv, \.jsonl \(JSON Lines\) or \.parquet file, or say which with the format field\."),
        gettext_noop("Upload a .csv, .jsonl (JSON Lines) or .parquet file: its extension says which format it is."),
    ),
]


def upload_refusal(detail: str) -> str:
    """Why an upload was refused (the API's English detail) in the reader's language; anything else as it is."""
    for pattern, message in _UPLOAD_RULES:
        match = pattern.fullmatch(detail)
        if match:
            return _(message) % {key: _known(_BINARY_KINDS, value) for key, value in match.groupdict().items()}
    return detail


def upload_refusals_for_script() -> dict[str, Any]:
    """The table above for the upload page's script, which reads the API's answer itself: each pattern in
    JavaScript's syntax (named groups ``(?<name>...)``) with its message translated, and the names of binary files
    it may quote."""
    return {
        "rules": [
            {"pattern": pattern.pattern.replace("(?P<", "(?<"), "message": _(message)}
            for pattern, message in _UPLOAD_RULES
        ],
        "names": {name: _(said) for name, said in _BINARY_KINDS.items()},
    }
