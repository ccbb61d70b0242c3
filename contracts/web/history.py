"""The reasons and actors of contract and settlement events (``ContractEvent``, ``SettlementEvent``,
``EntitlementEvent``) as people read them, in the request's language.

Presentation only: the services store these as plain English (``"trade executed"``, ``"capture: first
download"``, actor ``"market"``) and the stored rows, which the API and the audit trail show, stay exactly as
written. A reason or actor not listed here, such as a provider's own message or an operator's e-mail, is shown
as it is.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Whole reasons the services record (settlement.services, contracts.services, marketplace.services).
REASONS: dict[str, str | Promise] = {
    "trade executed": _("trade executed"),
    "authorise": _("payment authorisation"),
    "payment authorised": _("payment authorised"),
    "granted": _("access granted"),
    "expired": _("expired"),
    "revoked": _("access revoked"),
    "term ended": _("the contract's term ended"),
    "first download": _("first complete download"),
    "acceptance window passed": _("the acceptance period ended"),
    "reconciliation": _("checked with the payment provider"),
    "refund requested; pending at the payment provider": _("refund requested; pending at the payment provider"),
    "refunded by the market operator": _("refunded by the market operator"),
    "the data could not be delivered; nothing was charged": _("the data could not be delivered; nothing was charged"),
}

# "<step>: <why>" reasons: the step in the reader's words, then the reason it names (itself looked up).
STEPS: dict[str, str | Promise] = {
    "authorise": _("payment authorisation: %(why)s"),
    "capture": _("payment charged: %(why)s"),
    "void": _("payment cancelled: %(why)s"),
    "refund": _("refund: %(why)s"),
    "payment failed": _("payment failed: %(why)s"),
}

ACTORS: dict[str, str | Promise] = {
    "market": _("the market"),
    "system": _("the system"),
}


def event_reason(reason: str) -> str:
    """``"trade d0c8…"`` → "約定 d0c8…", ``"capture: first download"`` → "代金の請求：初回の完全ダウンロード"."""
    reason = reason or ""
    if reason in REASONS:
        return str(REASONS[reason])
    if reason.startswith("trade ") and " " not in reason[len("trade ") :]:
        return str(_("trade %(id)s")) % {"id": reason[len("trade ") :]}
    if reason.startswith("stripe event "):
        return str(_("payment provider event %(event)s")) % {"event": reason[len("stripe event ") :]}
    step, sep, why = reason.partition(": ")
    if sep and step in STEPS:
        return str(STEPS[step]) % {"why": event_reason(why)}
    return reason


def event_actor(actor: str) -> str:
    return str(ACTORS.get(actor or "", actor or ""))
