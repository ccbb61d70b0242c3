"""Consumption tax (marketplace/tax.py): who pays how much, rounded down once per invoice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.tax import consumption_tax, fee_tax, tax_amount, treatment_of

TEN = Decimal("0.10")


@pytest.mark.parametrize(
    ("seller", "buyer", "treatment"),
    [
        ("JP", "JP", "standard"),
        ("JP", "US", "export"),
        ("DE", "JP", "reverse_charge"),
        ("DE", "US", "out_of_scope"),
    ],
)
def test_the_parties_countries_decide_the_treatment(seller: str, buyer: str, treatment: str) -> None:
    assert treatment_of(seller_country=seller, buyer_country=buyer) == treatment


def test_a_sale_in_japan_pays_the_rate_and_the_others_pay_none() -> None:
    standard = consumption_tax(amount_excl_tax=12_000, treatment="standard", rate=TEN)
    assert (standard.rate, standard.tax_amount, standard.amount_incl_tax, standard.charged) == (TEN, 1200, 13_200, True)
    for treatment in ("export", "reverse_charge", "out_of_scope"):
        exempt = consumption_tax(amount_excl_tax=12_000, treatment=treatment, rate=TEN)
        assert (exempt.rate, exempt.tax_amount, exempt.amount_incl_tax, exempt.charged) == (0, 0, 12_000, False)


def test_the_tax_is_rounded_down_once() -> None:
    assert tax_amount(1999, TEN) == 199  # 199.9
    assert consumption_tax(amount_excl_tax=7, treatment="standard", rate=Decimal("0.08")).tax_amount == 0  # 0.56


def test_the_fee_is_taxed_for_a_seller_in_japan_only() -> None:
    assert fee_tax(fee=600, treatment="standard", rate=TEN) == 60
    assert fee_tax(fee=600, treatment="export", rate=TEN) == 60, "the seller is in Japan: the fee is domestic"
    assert fee_tax(fee=600, treatment="reverse_charge", rate=TEN) == 0
    assert fee_tax(fee=600, treatment="out_of_scope", rate=TEN) == 0


def test_an_unknown_treatment_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown tax treatment"):
        consumption_tax(amount_excl_tax=1, treatment="exempt", rate=TEN)


@given(
    amount=st.integers(min_value=0, max_value=10**15),
    rate=st.decimals(min_value=0, max_value=Decimal("0.9999"), places=4),
)
def test_the_tax_never_exceeds_the_rate_and_misses_it_by_less_than_one_unit(amount: int, rate: Decimal) -> None:
    tax = consumption_tax(amount_excl_tax=amount, treatment="standard", rate=rate)
    exact = Decimal(amount) * rate
    assert exact - 1 < tax.tax_amount <= exact
    assert tax.amount_incl_tax == amount + tax.tax_amount
