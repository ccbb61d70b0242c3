"""Daily payouts: each seller receives what the market owes it, as one provider transfer, posted once.

A payout's amount is fixed when it is created (under the seller's row lock): the seller's payable balance
minus payouts still in flight, so a payout being sent is never counted twice. The transfer carries an
idempotency key derived from the payout id; the ledger posting is unique per payout.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from config.errors import InvalidInput
from config.market import market_settings
from marketplace.models import Organization
from settlement import states
from settlement.models import SELLER_ACCOUNTS, LedgerEntry, Payout, PayoutAccount, Settlement
from settlement.providers import ProviderRefused, ProviderUnavailable, provider_get
from settlement.services import ledger

logger = logging.getLogger(__name__)


_ACCOUNT = re.compile(r"^acct_[A-Za-z0-9_]{3,250}$")


@transaction.atomic
def payout_account_save(*, organization_id: uuid.UUID, account: str, provider: str = "") -> PayoutAccount:
    """Where a seller is paid: its connected account at the provider (Stripe Connect ``acct_...``)."""
    if not _ACCOUNT.match(account):
        raise InvalidInput(
            "A payout account is a connected account id such as acct_1Nx...", errors={"account": ["invalid"]}
        )
    saved, _ = PayoutAccount.objects.update_or_create(
        organization_id=organization_id,
        defaults={"account_ref": account, "provider": provider or market_settings().payment_provider},
    )
    return saved


def payouts_create(*, for_date: date | None = None) -> list[Payout]:
    """Create today's payout for every seller the market owes money (one per seller and currency)."""
    for_date = for_date or timezone.localdate()
    owed = (
        LedgerEntry.objects.filter(account__in=SELLER_ACCOUNTS)
        .values("organization_id", "currency")
        .annotate(balance=Sum("amount"))
        .filter(balance__lt=0)
    )
    created = []
    for row in owed:
        payout = _payout_create(seller_id=row["organization_id"], currency=row["currency"], for_date=for_date)
        if payout is not None:
            created.append(payout)
    return created


def _payout_create(*, seller_id: uuid.UUID, currency: str, for_date: date) -> Payout | None:
    try:
        with transaction.atomic():
            # Serialises payout creation per seller: the in-flight sum below cannot change under us.
            Organization.objects.select_for_update().filter(pk=seller_id).first()
            in_flight = Payout.objects.filter(
                seller_id=seller_id, currency=currency, status=Payout.Status.PENDING
            ).aggregate(total=Sum("amount", default=0), tax=Sum("tax_amount", default=0))
            proceeds, tax = ledger.seller_owed(organization_id=seller_id, currency=currency)
            amount = proceeds + tax - in_flight["total"]
            if amount <= 0:
                return None
            return Payout.objects.create(
                seller_id=seller_id,
                currency=currency,
                for_date=for_date,
                amount=amount,
                # The part that is the seller's consumption tax, for the ledger (never more than the whole).
                tax_amount=min(max(tax - in_flight["tax"], 0), amount),
            )
    except IntegrityError:  # today's payout exists already (a second beat run)
        return None


def payout_send(*, payout_id: uuid.UUID) -> Payout:
    """Transfer a pending payout to the seller's account and post it; idempotent."""
    payout = Payout.objects.get(pk=payout_id)
    if payout.status != Payout.Status.PENDING:
        return payout
    account = PayoutAccount.objects.filter(organization_id=payout.seller_id).first()
    provider = provider_get()
    if account is None and provider.name != "offline":
        return _finish(payout.id, failed="The seller has no payout account at the payment provider.")
    destination = account.account_ref if account else f"acct_offline_{payout.seller_id.hex[:16]}"
    try:
        result = provider.transfer(
            amount=payout.amount,
            currency=payout.currency,
            destination=destination,
            idempotency_key=f"ichiba-payout-{payout.id}",
            description=f"Ichiba payout {payout.for_date}",
        )
    except ProviderUnavailable:
        logger.warning("payout %s: provider unavailable; the sweeper retries it", payout.id)
        raise
    except ProviderRefused as refusal:
        # Final: the amount stays in the seller's payable balance and goes out with a later payout once
        # the seller's account is fixed.
        return _finish(payout.id, failed=str(refusal))
    return _finish(payout.id, transfer_ref=result.transfer_ref)


@transaction.atomic
def _finish(payout_id: uuid.UUID, *, transfer_ref: str = "", failed: str = "") -> Payout:
    # The seller's row first, as in creation: a payout being created never sees this one half-finished
    # (still pending, yet already posted), which would count its amount twice.
    seller_id = Payout.objects.values_list("seller_id", flat=True).get(pk=payout_id)
    Organization.objects.select_for_update().filter(pk=seller_id).first()
    payout = Payout.objects.select_for_update().get(pk=payout_id)
    if payout.status != Payout.Status.PENDING:
        return payout
    target = Payout.Status.FAILED if failed else Payout.Status.PAID
    states.payout_check(payout.status, target)
    payout.status = target
    payout.transfer_ref = transfer_ref[:255]
    payout.failure_message = failed[:500]
    payout.paid_at = timezone.now() if not failed else None
    payout.save()
    if not failed:
        ledger.ledger_post_payout(payout=payout)
        # Label the captured settlements this payout covers (those captured before it was created).
        Settlement.objects.filter(
            seller_id=payout.seller_id,
            currency=payout.currency,
            status=Settlement.Status.CAPTURED,
            payout__isnull=True,
            captured_at__lte=payout.created_at,
        ).update(payout=payout)
    return payout


def payouts_pending(*, older_than: timedelta = timedelta(minutes=5), now: datetime | None = None) -> list[uuid.UUID]:
    """Payouts still pending after a while: a crashed worker's, to send again (same idempotency key)."""
    cutoff = (now or timezone.now()) - older_than
    return list(
        Payout.objects.filter(status=Payout.Status.PENDING, created_at__lte=cutoff).values_list("id", flat=True)
    )
