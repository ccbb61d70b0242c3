"""The double-entry ledger: every movement is one balanced transaction, posted once, never changed.

Accounts (``LedgerEntry.Account``): ``provider_balance`` (money the market holds at the payment provider,
an asset), ``platform_fees`` (the market's revenue), ``tax_payable`` (the consumption tax on those fees, which the
market owes the tax office), and per seller ``seller_payable`` (its proceeds: price less the fee and the fee's tax)
and ``seller_tax_payable`` (the consumption tax the market collected on its sales as its intermediary; the seller
owes it to the tax office). Both seller accounts are paid out together. Debits are positive, credits negative; a
transaction's entries sum to zero per currency.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum

from settlement.models import SELLER_ACCOUNTS, LedgerEntry, LedgerTransaction, Payout, Settlement

Account = LedgerEntry.Account


@dataclass(frozen=True)
class Leg:
    account: str
    amount: int
    organization_id: uuid.UUID | None = None


class UnbalancedTransaction(ValueError):
    pass


def ledger_post(
    *,
    kind: str,
    reference: str,
    currency: str,
    legs: Sequence[Leg],
    settlement: Settlement | None = None,
    payout: Payout | None = None,
    memo: str = "",
) -> LedgerTransaction:
    """Post one balanced transaction; posting the same ``reference`` again returns the first one."""
    legs = [leg for leg in legs if leg.amount != 0]
    if sum(leg.amount for leg in legs) != 0 or not legs:
        raise UnbalancedTransaction(f"{reference}: legs {legs} do not balance.")
    existing = LedgerTransaction.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    try:
        # A savepoint, so a concurrent poster's unique-violation leaves the caller's transaction usable.
        with transaction.atomic():
            posted = LedgerTransaction.objects.create(
                kind=kind, reference=reference, settlement=settlement, payout=payout, memo=memo[:200]
            )
            LedgerEntry.objects.bulk_create(
                LedgerEntry(
                    transaction=posted,
                    account=leg.account,
                    organization_id=leg.organization_id,
                    amount=leg.amount,
                    currency=currency,
                )
                for leg in legs
            )
    except IntegrityError:
        return LedgerTransaction.objects.get(reference=reference)
    return posted


def _memo(settlement: Settlement) -> str:
    memo = f"trade {settlement.trade_id}"
    return memo if settlement.period == 1 else f"{memo} period {settlement.period}"


def _capture_legs(settlement: Settlement) -> list[Leg]:
    """The buyer paid the tax-inclusive amount: the provider holds it; the fee is the market's and the fee's tax the
    tax office's; the seller's consumption tax and the rest of the price are the seller's."""
    return [
        Leg(Account.PROVIDER_BALANCE, settlement.amount),
        Leg(Account.PLATFORM_FEES, -settlement.platform_fee),
        Leg(Account.TAX_PAYABLE, -settlement.platform_fee_tax),
        Leg(Account.SELLER_TAX_PAYABLE, -settlement.tax_amount, settlement.seller_id),
        Leg(Account.SELLER_PAYABLE, -(settlement.seller_proceeds - settlement.tax_amount), settlement.seller_id),
    ]


def ledger_post_capture(*, settlement: Settlement) -> LedgerTransaction:
    """The buyer paid (``_capture_legs``)."""
    return ledger_post(
        kind=LedgerTransaction.Kind.CAPTURE,
        reference=f"settlement:{settlement.id}:capture",
        currency=settlement.currency,
        settlement=settlement,
        memo=_memo(settlement),
        legs=_capture_legs(settlement),
    )


def ledger_post_refund(*, settlement: Settlement) -> LedgerTransaction:
    """The exact reverse of the capture, tax included. A seller already paid out carries a negative payable,
    which the next payouts net off."""
    return ledger_post(
        kind=LedgerTransaction.Kind.REFUND,
        reference=f"settlement:{settlement.id}:refund",
        currency=settlement.currency,
        settlement=settlement,
        memo=_memo(settlement),
        legs=[Leg(leg.account, -leg.amount, leg.organization_id) for leg in _capture_legs(settlement)],
    )


def ledger_post_payout(*, payout: Payout) -> LedgerTransaction:
    """The seller was paid its proceeds and its consumption tax: the market owes it less and holds less at the
    provider."""
    return ledger_post(
        kind=LedgerTransaction.Kind.PAYOUT,
        reference=f"payout:{payout.id}",
        currency=payout.currency,
        payout=payout,
        memo=f"payout {payout.for_date}",
        legs=[
            Leg(Account.SELLER_PAYABLE, payout.amount - payout.tax_amount, payout.seller_id),
            Leg(Account.SELLER_TAX_PAYABLE, payout.tax_amount, payout.seller_id),
            Leg(Account.PROVIDER_BALANCE, -payout.amount),
        ],
    )


def ledger_balance(*, account: str, currency: str, organization_id: uuid.UUID | None = None) -> int:
    """Debit-positive balance of an account (a liability such as seller_payable is negative when owed)."""
    entries = LedgerEntry.objects.filter(account=account, currency=currency)
    if organization_id is not None:
        entries = entries.filter(organization_id=organization_id)
    return entries.aggregate(total=Sum("amount"))["total"] or 0


def seller_payable(*, organization_id: uuid.UUID, currency: str) -> int:
    """What the market owes the seller now, its consumption tax included (positive when it owes)."""
    return sum(seller_owed(organization_id=organization_id, currency=currency))


def seller_owed(*, organization_id: uuid.UUID, currency: str) -> tuple[int, int]:
    """What the market owes the seller now, as (proceeds, consumption tax); positive when it owes."""
    balances = dict(
        LedgerEntry.objects.filter(account__in=SELLER_ACCOUNTS, currency=currency, organization_id=organization_id)
        .values_list("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    return -balances.get(Account.SELLER_PAYABLE, 0), -balances.get(Account.SELLER_TAX_PAYABLE, 0)
