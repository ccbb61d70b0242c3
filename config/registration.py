"""Japan's invoice registration number (適格請求書発行事業者登録番号): the one check of its form.

A registered invoice issuer's number is "T" followed by 13 digits. For a company the 13 digits are its corporate
number (法人番号), whose first digit is a check digit over the 12 that follow (National Tax Agency, 法人番号の
指定等に関する省令 第二条; published at https://www.houjin-bangou.nta.go.jp/):

    check = 9 - (Σ P_n × Q_n) mod 9

where P_n is the digit at position n counted from the right of the 12-digit base (n = 1 is the last digit) and
Q_n is 1 when n is odd, 2 when it is even. A sole proprietor's number is a 13-digit number of its own without this
check digit rule; the market trades between organisations, so it accepts corporate numbers only.

In config (not marketplace) because the market's own number (``ICHIBA_INVOICE_REGISTRATION_NUMBER``) is checked by
the same function at start, and a seller's on its organisation.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "corporate_check_digit",
    "corporate_number_refusal",
    "normalize_corporate_number",
    "normalize_registration_number",
    "registration_number_refusal",
]

_FORM = re.compile(r"T[0-9]{13}")
_CORPORATE_FORM = re.compile(r"[0-9]{13}")


def corporate_check_digit(base: str) -> int:
    """The check digit of a corporate number's 12-digit base (the digits after the check digit)."""
    if len(base) != 12 or not base.isascii() or not base.isdigit():
        raise ValueError(f"a corporate number's base is 12 digits, not {base!r}")
    total = sum(int(digit) * (1 if position % 2 else 2) for position, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def normalize_registration_number(value: str) -> str:
    """As people type it: full-width characters folded (Ｔ１２３ → T123), spaces and hyphens dropped, "t" upper."""
    folded = unicodedata.normalize("NFKC", value)
    return re.sub(r"[\s\-‐－]", "", folded).upper()


def registration_number_refusal(value: str) -> Promise | None:
    """Why ``value`` (already normalised) is not an invoice registration number, said for an error message (lazy:
    English in the API, whose requests run in English, ADR 9; the reader's language on a page); None when it is
    one."""
    if not _FORM.fullmatch(value):
        return _("An invoice registration number is T followed by 13 digits (for example T7000012050002).")
    if int(value[1]) != corporate_check_digit(value[2:]):
        return _("The check digit (the first of the 13 digits) does not match: this is not a corporate number.")
    return None


def normalize_corporate_number(value: str) -> str:
    """A corporate number as people type it (１２３４-５６７８-…, spaces, hyphens), folded to its 13 ASCII digits."""
    folded = unicodedata.normalize("NFKC", value)
    return re.sub(r"[\s\-‐－ー−]", "", folded)


def corporate_number_refusal(value: str) -> Promise | None:
    """Why ``value`` (already normalised) is not a corporate number (法人番号), said for an error message (lazy, as
    above); None when it is one."""
    if not _CORPORATE_FORM.fullmatch(value):
        return _("A corporate number is 13 digits (for example 7000012050002).")
    if int(value[0]) != corporate_check_digit(value[1:]):
        return _("The check digit (the first of the 13 digits) does not match: this is not a corporate number.")
    return None
