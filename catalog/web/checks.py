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
    ],
    "direct_identifiers": [
        (
            re.compile(r"No e-mail addresses, phone numbers or 12-digit individual numbers \(My Number\) found\."),
            gettext_noop("No e-mail addresses, phone numbers or 12-digit individual numbers (My Number) found."),
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
