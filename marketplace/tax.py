"""Consumption tax (消費税) on a sale through the market: the one home of who is charged how much.

A licence to data is an electronic service (電気通信利用役務の提供). Where it is supplied decides whether Japan's
consumption tax applies, and the seller's and the buyer's countries decide where:

- **standard**: a seller in Japan sells to a buyer in Japan. The buyer pays the rate in force
  (``ICHIBA_CONSUMPTION_TAX_RATE``, 10 % by default) on top of the price; the seller owes it to the tax office, and
  the market, which only collects it as the intermediary, passes it on with the seller's proceeds.
- **export**: a seller in Japan sells to a buyer outside Japan. An export of services is zero-rated (輸出免税): no
  tax is charged, and the invoice says why.
- **reverse_charge**: a seller outside Japan sells to a business in Japan. For business-to-business electronic
  services the buyer accounts for the tax itself (リバースチャージ方式): nothing is charged, and the invoice says so.
- **out_of_scope**: neither party is in Japan; the sale is outside Japan's consumption tax (不課税).

The tax is computed once per invoice and rate, on the tax-exclusive amount, rounded down (the invoice system allows
one rounding per invoice and rate: 一の請求書につき税率ごとに1回の端数処理). Every settlement is one invoice of one
rate, so its tax is ``floor(amount_excl_tax × rate)``.

The market's own platform fee is a service the market (in Japan) supplies to the seller: standard for a seller in
Japan, export for a seller outside it (``fee_tax``). The fee is computed on the tax-exclusive price.

Pure: no database. ``settlement`` applies it to each settlement it opens; the web's review step shows the same
figures before the buyer commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "EXEMPTION_NOTES",
    "MARKET_COUNTRY",
    "TREATMENTS",
    "Tax",
    "consumption_tax",
    "fee_tax",
    "tax_amount",
    "treatment_of",
]

# The country whose consumption tax the market applies: the market, its operator and its invoices are Japanese.
MARKET_COUNTRY = "JP"

STANDARD = "standard"
EXPORT = "export"
REVERSE_CHARGE = "reverse_charge"
OUT_OF_SCOPE = "out_of_scope"
TREATMENTS = (STANDARD, EXPORT, REVERSE_CHARGE, OUT_OF_SCOPE)

# Why a sale carries no consumption tax, as a review, a purchase and an invoice state it (translated where shown).
EXEMPTION_NOTES: dict[str, Promise] = {
    EXPORT: _("No consumption tax: an export of services to a buyer outside Japan is zero-rated."),
    REVERSE_CHARGE: _(
        "No consumption tax charged: a seller outside Japan, so the buyer accounts for the consumption tax itself "
        "(reverse charge)."
    ),
    OUT_OF_SCOPE: _("No consumption tax: neither party is in Japan, so the sale is outside its scope."),
}


@dataclass(frozen=True)
class Tax:
    """One sale's tax: what the buyer pays, split. Amounts in minor units of the sale's currency."""

    amount_excl_tax: int
    treatment: str
    # The rate applied: the rate in force for ``standard``, zero otherwise.
    rate: Decimal
    tax_amount: int

    @property
    def amount_incl_tax(self) -> int:
        return self.amount_excl_tax + self.tax_amount

    @property
    def charged(self) -> bool:
        """Whether the buyer pays consumption tax on this sale (the others say why not on the invoice)."""
        return self.treatment == STANDARD


def treatment_of(*, seller_country: str, buyer_country: str) -> str:
    """How a sale from a seller in ``seller_country`` to a buyer in ``buyer_country`` is taxed."""
    seller_here, buyer_here = seller_country == MARKET_COUNTRY, buyer_country == MARKET_COUNTRY
    if seller_here:
        return STANDARD if buyer_here else EXPORT
    return REVERSE_CHARGE if buyer_here else OUT_OF_SCOPE


def tax_amount(amount: int, rate: Decimal) -> int:
    """The tax on a tax-exclusive amount at a rate: rounded down, once."""
    return int((Decimal(amount) * rate).quantize(Decimal(1), rounding=ROUND_DOWN))


def consumption_tax(*, amount_excl_tax: int, treatment: str, rate: Decimal) -> Tax:
    """The tax of one sale of ``amount_excl_tax`` taxed as ``treatment`` (``treatment_of``), ``rate`` being the rate
    in force (``market_settings().consumption_tax_rate``)."""
    if treatment not in TREATMENTS:
        raise ValueError(f"unknown tax treatment {treatment!r}")
    applied = rate if treatment == STANDARD else Decimal(0)
    return Tax(
        amount_excl_tax=amount_excl_tax,
        treatment=treatment,
        rate=applied,
        tax_amount=tax_amount(amount_excl_tax, applied),
    )


def fee_tax(*, fee: int, treatment: str, rate: Decimal) -> int:
    """The consumption tax on the market's platform fee to the seller of a sale taxed as ``treatment``: charged to
    a seller in Japan (``standard`` and ``export`` sales), zero-rated as an export for one outside it."""
    return tax_amount(fee, rate) if treatment in (STANDARD, EXPORT) else 0
