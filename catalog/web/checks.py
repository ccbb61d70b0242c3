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
from django.utils.translation import ngettext

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _count(text: str) -> int:
    return int(text.replace(",", ""))


# Keyed by the check's name; each pattern matches a whole detail, as catalog.validation and
# catalog.services.versions write it.
_RULES: dict[str, list[Rule]] = {
    "checksum": [
        (
            re.compile(r"SHA-256 (?P<sha>[0-9a-f]{64}) matches the upload\."),
            lambda m: _("SHA-256 %(sha)s matches the upload.") % {"sha": m["sha"]},
        ),
    ],
    "stored_file": [
        (
            re.compile(r"The uploaded file is missing from storage\."),
            lambda m: _("The uploaded file is missing from storage."),
        ),
    ],
    "encoding": [
        (re.compile(r"UTF-8\."), lambda m: _("UTF-8.")),
        (
            re.compile(r"UTF-8 \(with a byte-order mark, which is ignored\)\."),
            lambda m: _("UTF-8 (with a byte-order mark, which is ignored)."),
        ),
    ],
    "parse": [
        (
            re.compile(r"CSV with (?P<cols>[\d,]+) columns and (?P<rows>[\d,]+) data rows\."),
            lambda m: _("CSV with %(cols)s columns and %(rows)s data rows.") % {"cols": m["cols"], "rows": m["rows"]},
        ),
        (
            re.compile(r"JSON Lines with (?P<rows>[\d,]+) objects and (?P<keys>[\d,]+) distinct keys\."),
            lambda m: _("JSON Lines with %(rows)s objects and %(keys)s distinct keys.")
            % {"rows": m["rows"], "keys": m["keys"]},
        ),
        (
            re.compile(r"The file has a header but no data rows\."),
            lambda m: _("The file has a header but no data rows."),
        ),
    ],
    "row_count": [
        (
            re.compile(r"(?P<rows>[\d,]+) rows\."),
            lambda m: ngettext("%(rows)s row.", "%(rows)s rows.", _count(m["rows"])) % {"rows": m["rows"]},
        ),
        (re.compile(r"No data rows\."), lambda m: _("No data rows.")),
    ],
    "timestamp": [
        (
            re.compile(
                r"timestamp column (?P<column>.+?): (?P<start>\S+) … (?P<end>\S+) \((?P<values>[\d,]+) values\)"
            ),
            lambda m: _("timestamp column %(column)s: %(start)s … %(end)s (%(values)s values)")
            % {"column": m["column"], "start": m["start"], "end": m["end"], "values": m["values"]},
        ),
    ],
    "direct_identifiers": [
        (
            re.compile(r"No e-mail addresses, phone numbers or 12-digit individual numbers \(My Number\) found\."),
            lambda m: _("No e-mail addresses, phone numbers or 12-digit individual numbers (My Number) found."),
        ),
    ],
    "k_anonymity": [
        (
            re.compile(
                r"k = (?P<measured>[\d,]+) over (?P<over>\(.*\)): all (?P<groups>[\d,]+) groups have at least "
                r"(?P<k>\d+) rows\."
            ),
            lambda m: _("k = %(measured)s over %(over)s: all %(groups)s groups have at least %(k)s rows.")
            % {"measured": m["measured"], "over": m["over"], "groups": m["groups"], "k": m["k"]},
        ),
    ],
}


def check_detail(name: str, detail: Any) -> str:
    """A stored check's ``detail`` in the reader's language when it is one of the sentences above."""
    text = str(detail or "")
    for pattern, say in _RULES.get(name, []):
        match = pattern.fullmatch(text)
        if match:
            return say(match)
    return text
