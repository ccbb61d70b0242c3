"""The double-entry ledger: every movement is one balanced transaction, posted once, never changed.

Accounts (``LedgerEntry.Account``): ``provider_balance`` (money the market holds at the payment provider,
an asset), ``platform_fees`` (the market's revenue), ``seller_payable`` (what it owes one seller). Debits
are positive, credits negative; a transaction's entries sum to zero per currency.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum

from settlement.models import LedgerEntry, LedgerTransaction, Payout, Settlement

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


def ledger_post_capture(*, settlement: Settlement) -> LedgerTransaction:
    """The buyer paid: the provider holds the amount; the fee is the market's, the rest the seller's."""
    return ledger_post(
        kind=LedgerTransaction.Kind.CAPTURE,
        reference=f"settlement:{settlement.id}:capture",
        currency=settlement.currency,
        settlement=settlement,
        memo=_memo(settlement),
        legs=[
            Leg(Account.PROVIDER_BALANCE, settlement.amount),
            Leg(Account.PLATFORM_FEES, -settlement.platform_fee),
            Leg(Account.SELLER_PAYABLE, -settlement.seller_proceeds, settlement.seller_id),
        ],
    )


def ledger_post_refund(*, settlement: Settlement) -> LedgerTransaction:
    """The exact reverse of the capture. A seller already paid out carries a negative payable, which
    the next payouts net off."""
    return ledger_post(
        kind=LedgerTransaction.Kind.REFUND,
        reference=f"settlement:{settlement.id}:refund",
        currency=settlement.currency,
        settlement=settlement,
        memo=_memo(settlement),
        legs=[
            Leg(Account.PROVIDER_BALANCE, -settlement.amount),
            Leg(Account.PLATFORM_FEES, settlement.platform_fee),
            Leg(Account.SELLER_PAYABLE, settlement.seller_proceeds, settlement.seller_id),
        ],
    )


def ledger_post_payout(*, payout: Payout) -> LedgerTransaction:
    """The seller was paid: the market owes it less and holds less at the provider."""
    return ledger_post(
        kind=LedgerTransaction.Kind.PAYOUT,
        reference=f"payout:{payout.id}",
        currency=payout.currency,
        payout=payout,
        memo=f"payout {payout.for_date}",
        legs=[
            Leg(Account.SELLER_PAYABLE, payout.amount, payout.seller_id),
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
    """What the market owes the seller now (positive when it owes)."""
    return -ledger_balance(account=Account.SELLER_PAYABLE, currency=currency, organization_id=organization_id)
