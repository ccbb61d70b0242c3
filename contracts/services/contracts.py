"""Use cases of contracts: conclude one from a matched trade, move it through its states."""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from catalog.models import DatasetVersion
from catalog.selectors import latest_published_version_of
from config.errors import Conflict, InvalidInput
from contracts import states
from contracts.documents import document_compose, document_facts
from contracts.eligibility import Buyer, buyer_check
from contracts.models import Acceptance, Contract, ContractEvent, ContractText
from contracts.registry import template_get
from contracts.terms import term_int
from contracts.texts import document_assemble


@dataclass(frozen=True)
class OfferSnapshot:
    """What contracts needs to know of an offering (marketplace builds it; contracts never imports it)."""

    offering_id: uuid.UUID
    seller_id: uuid.UUID
    seller_name: str
    dataset_id: uuid.UUID
    template_code: str
    template_version: int
    terms: dict[str, Any]
    terms_sha256: str
    currency: str
    seller_accepted_at: datetime
    seller_user_id: int | None = None
    seller_api_key_id: uuid.UUID | None = None
    # How the data reaches the buyer, as its contract states it: "market" (download tokens of the market) or
    # "endpoint" (the seller's own server, verifying the market's signed tokens: the offering has a delivery URL).
    delivery_channel: str = "market"
    # How the trade came about: "book" (orders matched), "private" (a private offer accepted), "auction" (won at the
    # clearing price); and for a negotiated deal, its revisions in order (``Contract.negotiation``).
    channel: str = "book"
    negotiation: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class BuyerSnapshot:
    organization_id: uuid.UUID
    name: str
    country: str
    verified: bool  # by the market operator
    is_buyer: bool  # has the buyer role
    user_id: int | None = None
    api_key_id: uuid.UUID | None = None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Conclusion:
    """One trade of an offering to conclude a contract for (``contracts_conclude``)."""

    buyer: BuyerSnapshot
    price: int
    quantity: int
    accepted_terms_sha256: str
    trade_ref: str = ""
    contract_id: uuid.UUID = field(default_factory=uuid.uuid4)


def _check(offering: OfferSnapshot, conclusion: Conclusion) -> None:
    party = conclusion.buyer
    buyer = Buyer(
        organization_id=party.organization_id, verified=party.verified, is_buyer=party.is_buyer, country=party.country
    )
    buyer_check(buyer=buyer, offering=offering, accepted_terms_sha256=conclusion.accepted_terms_sha256)
    if conclusion.price <= 0 or conclusion.quantity <= 0:
        raise InvalidInput("price and quantity are positive integers.")


@functools.lru_cache(maxsize=64)
def _clauses_snapshot(template_code: str, template_version: int, codes: tuple[str, ...]) -> str:
    """The clauses a contract copies, as JSON (templates are code: fixed for the life of the process). ``codes``:
    the template's clauses for the contract's data class and terms (``Template.clauses_for``), in order."""
    template = template_get(template_code, template_version)
    wanted = set(codes)
    return json.dumps(
        [
            {"code": c.code, "title": dict(c.title), "text": dict(c.text), "negotiable": c.negotiable}
            for c in template.clauses
            if c.code in wanted
        ],
        ensure_ascii=False,
    )


# text -> its SHA-256, for the texts used again and again (shared bases, clause snapshots). The keys are the very
# strings documents._bases holds, and a str caches its own hash, so a lookup costs no pass over the text.
_text_hashes: dict[str, str] = {}


def _text(texts: dict[str, ContractText], text: str, *, shared: bool = True) -> ContractText:
    """The ContractText of ``text`` for this batch (``shared``: memoise its hash, it will come again)."""
    digest = _text_hashes.get(text) if shared else None
    if digest is None:
        digest = _sha256(text)
        if shared:
            if len(_text_hashes) >= 512:
                _text_hashes.clear()
            _text_hashes[text] = digest
    found = texts.get(digest)
    if found is None:
        found = texts[digest] = ContractText(sha256=digest, text=text)
    return found


# Hashes of the texts known to be stored: content-addressed rows are never changed or deleted (contracts protect
# them), so once a text's row has committed, later batches need not send it again. Filled only after COMMIT (a
# rolled-back insert stored nothing); emptied when the whole database is (``flush``, in tests) and whenever a new
# database connection opens (it may reach a restored database or a standby that missed the last commits).
_stored_texts: set[str] = set()


def stored_texts_forget() -> None:
    _stored_texts.clear()


def _texts_unstored(texts: dict[str, ContractText]) -> tuple[ContractText, ...]:
    """The shared texts not known to be stored, remembered as stored once the caller's transaction, which writes
    them, commits (a row that exists is the same text, so the writer skips a conflict)."""
    missing = tuple(texts[digest] for digest in sorted(texts) if digest not in _stored_texts)
    if not missing or not connection.in_atomic_block:  # no transaction to wait for: not remembered
        return missing
    digests = [text.sha256 for text in missing]

    def remember() -> None:
        if connection.in_atomic_block:  # run early, inside a transaction still open (tests): nothing committed
            return
        if len(_stored_texts) >= 4096:
            _stored_texts.clear()
        _stored_texts.update(digests)

    transaction.on_commit(remember)
    return missing


@dataclass(frozen=True)
class Concluded:
    """The rows of contracts concluded together, unsaved, for the caller to write in its own transaction.

    ``texts``: shared texts (content-addressed) that may be stored already: insert each unless its key exists.
    They are remembered as stored when the transaction that concluded them commits, so the caller writes them in
    that transaction or lets it roll back. ``contracts``, ``acceptances`` (seller and buyer of each) and
    ``events`` (each contract's first): new rows."""

    contracts: tuple[Contract, ...]
    texts: tuple[ContractText, ...]
    acceptances: tuple[Acceptance, ...]
    events: tuple[ContractEvent, ...]


@transaction.atomic
def contract_conclude(
    *,
    offering: OfferSnapshot,
    buyer: BuyerSnapshot,
    price: int,
    quantity: int,
    accepted_terms_sha256: str,
    trade_ref: str = "",
    concluded_at: datetime | None = None,
) -> Contract:
    """Conclude the immutable contract of one trade (see ``contracts_conclude``)."""
    conclusion = Conclusion(
        buyer=buyer, price=price, quantity=quantity, accepted_terms_sha256=accepted_terms_sha256, trade_ref=trade_ref
    )
    concluded = contracts_conclude(offering=offering, conclusions=[conclusion], concluded_at=concluded_at)
    ContractText.objects.bulk_create(concluded.texts, ignore_conflicts=True)
    Contract.objects.bulk_create(concluded.contracts)
    Acceptance.objects.bulk_create(concluded.acceptances)
    ContractEvent.objects.bulk_create(concluded.events)
    return concluded.contracts[0]


def contracts_conclude(
    *,
    offering: OfferSnapshot,
    conclusions: Sequence[Conclusion],
    concluded_at: datetime | None = None,
    version: DatasetVersion | None = None,
) -> Concluded:
    """Conclude the immutable contract of each trade, on the dataset version current at this moment, and hand
    back its rows for the caller to write (``order_place`` writes them with the trade's other rows in one
    statement; ``contract_conclude`` with the ORM).

    The buyer accepted exactly the terms it names by hash; for anonymised data that hash covers the APPI
    notice and the re-identification ban (mandatory clauses), so accepting it records accepting them.
    Each document is stored as a base shared by the offering's contracts plus the trade's own facts
    (``contracts.documents.document_compose``); its SHA-256 is that of the assembled text. ``version``: the
    dataset's latest published version (with its dataset) as the caller read it in this transaction, else read.
    """
    for conclusion in conclusions:
        _check(offering, conclusion)
    if not conclusions:
        return Concluded(contracts=(), texts=(), acceptances=(), events=())
    terms = offering.terms  # stored with the contract as they are: terms_sha256 is of exactly these
    template = template_get(offering.template_code, offering.template_version)
    duration_days = term_int(terms["duration_days"], path="terms.duration_days")
    if version is None or version.dataset_id != offering.dataset_id:
        version = latest_published_version_of(dataset_id=offering.dataset_id)
    if version is None:
        raise Conflict("The dataset has no published version to license.")
    dataset = version.dataset
    concluded_at = concluded_at or timezone.now()
    texts: dict[str, ContractText] = {}
    codes = tuple(c.code for c in template.clauses_for(dataset.data_class, terms))
    clauses = _text(texts, _clauses_snapshot(template.code, template.version, codes))
    contracts = []
    for conclusion in conclusions:
        buyer = conclusion.buyer
        facts = document_facts(
            contract_id=str(conclusion.contract_id),
            seller_name=offering.seller_name,
            buyer_name=buyer.name,
            dataset=dataset,
            version=version,
            price=conclusion.price,
            quantity=conclusion.quantity,
            currency=offering.currency,
            concluded_at=concluded_at,
            duration_days=duration_days,
            terms_sha256=offering.terms_sha256,
            delivery_channel=offering.delivery_channel,
        )
        base_ja, slots_ja = document_compose(template, terms, facts, "ja")
        base_en, slots_en = document_compose(template, terms, facts, "en")
        contracts.append(
            Contract(
                id=conclusion.contract_id,
                template_code=template.code,
                template_version=template.version,
                contract_type=template.contract_type,
                seller_id=offering.seller_id,
                buyer_id=buyer.organization_id,
                seller_name=offering.seller_name,
                buyer_name=buyer.name,
                buyer_country=buyer.country,
                dataset=dataset,
                dataset_version=version,
                offering_id=offering.offering_id,
                trade_ref=conclusion.trade_ref,
                data_class=dataset.data_class,
                terms=terms,
                terms_sha256=offering.terms_sha256,
                clauses_text=clauses,
                price=conclusion.price,
                quantity=conclusion.quantity,
                amount=conclusion.price * conclusion.quantity,
                currency=offering.currency,
                valid_from=concluded_at,
                valid_until=facts.valid_until,
                document_ja_base=_text(texts, base_ja, shared=bool(slots_ja)),
                document_en_base=_text(texts, base_en, shared=bool(slots_en)),
                document_slots={"ja": list(slots_ja), "en": list(slots_en)},
                document_sha256=_sha256(document_assemble(base_ja, slots_ja)),
                document_en_sha256=_sha256(document_assemble(base_en, slots_en)),
                concluded_at=concluded_at,
                channel=offering.channel,
                negotiation=list(offering.negotiation),
            )
        )
    acceptances = []
    events = []
    for contract, conclusion in zip(contracts, conclusions, strict=True):
        acceptances += [
            Acceptance(
                contract=contract,
                role=Acceptance.Role.SELLER,
                organization_id=offering.seller_id,
                user_id=offering.seller_user_id,
                api_key_id=offering.seller_api_key_id,
                terms_sha256=offering.terms_sha256,
                appi_notice_accepted=False,
                accepted_at=offering.seller_accepted_at,
            ),
            Acceptance(
                contract=contract,
                role=Acceptance.Role.BUYER,
                organization_id=conclusion.buyer.organization_id,
                user_id=conclusion.buyer.user_id,
                api_key_id=conclusion.buyer.api_key_id,
                terms_sha256=conclusion.accepted_terms_sha256,
                appi_notice_accepted=dataset.data_class == "anonymized",
                accepted_at=concluded_at,
            ),
        ]
        events.append(
            ContractEvent(
                contract=contract,
                from_status="",
                to_status=contract.status,
                reason=f"trade {conclusion.trade_ref}".strip()[:200],
                actor="market",
            )
        )
    return Concluded(
        contracts=tuple(contracts), texts=_texts_unstored(texts), acceptances=tuple(acceptances), events=tuple(events)
    )


def contract_transition(
    *, contract_id: uuid.UUID, target: str, reason: str, actor: str = "system", locked: Contract | None = None
) -> Contract:
    """The one way a contract's status changes (activate, void, expire, terminate), under the contract's row lock.

    Inside a caller's transaction (the settlement steps, expiry) it is part of the caller's unit of work: no
    savepoint round trips, and nothing needs one, since it raises (an invalid transition) before it writes (and
    a refusal leaves the caller's transaction usable).

    ``locked``: this contract as the caller read it with its row lock in the transaction still open (a caller
    that locks its own row and the contract in one statement); it is then not read again.
    """
    if locked is not None:
        if locked.pk != contract_id or not connection.in_atomic_block:
            raise ValueError("locked must be this contract, read with its row lock in the open transaction.")
        return _transition(locked, target=target, reason=reason, actor=actor)
    if connection.in_atomic_block:
        return _transition(_locked(contract_id), target=target, reason=reason, actor=actor)
    with transaction.atomic():
        return _transition(_locked(contract_id), target=target, reason=reason, actor=actor)


def _locked(contract_id: uuid.UUID) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract_id)


def _transition(contract: Contract, *, target: str, reason: str, actor: str) -> Contract:
    states.contract_check(contract.status, target)
    previous = contract.status
    contract.status = target
    contract.save(update_fields=["status"])
    ContractEvent.objects.create(
        contract=contract, from_status=previous, to_status=target, reason=reason[:200], actor=actor[:100]
    )
    return contract
