"""Deals made off the public order book: buyers' requests for data, private offers negotiated revision by revision,
and sealed-bid auctions of licence seats (exclusive ones above all).

A deal concludes through an offering of its own (``marketplace.Offering.channel`` "private" or "auction") and
``marketplace.services.orders.deal_execute``: the contract, the settlement, the entitlement, the ledger and the fee
are exactly those of a trade on the book.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import DataClass
from marketplace.models import Offering, Organization, Trade


class DataRequest(models.Model):
    """A verified buyer's request for data nobody lists yet. Verified sellers read the open ones and answer with
    private offers that name it. The buyer's name is shown to them only if it chose ``public_identity``."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="data_requests")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    data_class = models.CharField(_("data class"), max_length=16, choices=DataClass)
    category = models.CharField(_("category"), max_length=32)
    territory = models.JSONField(_("territory"), default=list, help_text=_("ISO 3166-1 alpha-2 codes"))
    purpose = models.TextField(_("purpose"), max_length=2000)
    budget_max = models.BigIntegerField(_("budget"), null=True, blank=True, help_text=_("Minor units; optional."))
    currency = models.CharField(_("currency"), max_length=3, default="JPY")
    respond_by = models.DateTimeField(_("respond by"))
    public_identity = models.BooleanField(_("show our name"), default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_by_api_key_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "respond_by"], name="data_request_open_idx"),
            models.Index(fields=["buyer", "-created_at"], name="data_request_buyer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_max__isnull=True) | Q(budget_max__gt=0), name="data_request_budget_positive"
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="data_request_currency_iso4217"),
        ]

    def __str__(self) -> str:
        return self.title


class PrivateOffer(models.Model):
    """A seller's offer of a licence to one buyer (or a buyer's proposal to the seller: ``proposed_by``), negotiated
    in revisions (``PrivateOfferRevision``): either party may counter the other's latest revision; the party that did
    not write the latest one accepts it (by its hash) or declines. Only the two parties ever see it; it is never on the
    public book or tape.

    Accepted, it opens a private offering (``offering``) with the agreed terms and sells it to the buyer at once:
    one trade, one contract recording the revisions, one settlement."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    class Via(models.TextChoices):
        MARKET = "market", _("The market (web or API)")
        DSP = "dsp", _("The Dataspace Protocol")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seller = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="private_offers_made")
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="private_offers_received")
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="private_offers")
    data_request = models.ForeignKey(
        DataRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="private_offers"
    )
    template_code = models.CharField(max_length=64)
    template_version = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="JPY")
    expires_at = models.DateTimeField(_("expires at"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # Who wrote revision 1: the seller (an offer) or the buyer (a proposal, the seller's turn first), and where: on
    # the market (web or API) or over the Dataspace Protocol (a consumer connector's counter-offer).
    proposed_by = models.CharField(
        _("proposed by"), max_length=8, choices=[("seller", _("Seller")), ("buyer", _("Buyer"))], default="seller"
    )
    proposed_via = models.CharField(_("proposed via"), max_length=8, choices=Via.choices, default=Via.MARKET)
    # The latest revision's number (1 at creation), under the offer's row lock.
    revision = models.PositiveIntegerField(default=1)
    # The party that declined ("seller" or "buyer"), when declined.
    declined_by = models.CharField(max_length=8, blank=True)
    # Set at acceptance: the private offering that sold the agreed terms, and its trade.
    offering = models.OneToOneField(
        Offering, null=True, blank=True, on_delete=models.PROTECT, related_name="private_offer"
    )
    trade = models.OneToOneField(Trade, null=True, blank=True, on_delete=models.PROTECT, related_name="private_offer")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["seller", "-updated_at"], name="private_offer_seller_idx"),
            models.Index(fields=["buyer", "-updated_at"], name="private_offer_buyer_idx"),
            models.Index(fields=["status", "expires_at"], name="private_offer_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(seller=F("buyer")), name="private_offer_parties_differ"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="private_offer_currency_iso4217"),
            models.CheckConstraint(
                condition=Q(status="accepted", offering__isnull=False, trade__isnull=False)
                | (~Q(status="accepted") & Q(offering__isnull=True, trade__isnull=True)),
                name="private_offer_accepted_has_its_trade",
            ),
            # A data request is answered by sellers: a buyer's proposal answers none.
            models.CheckConstraint(
                condition=Q(proposed_by="seller") | Q(proposed_by="buyer", data_request__isnull=True),
                name="private_offer_buyer_proposal_answers_no_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} → {self.buyer_id} r{self.revision} {self.status}"


class PrivateOfferRevision(models.Model):
    """One revision of a private offer, immutable: the terms as validated and hashed (as an offering's are), the
    price per seat and the seats. Revision 1 is the seller's offer; each later one a counter-offer."""

    class Author(models.TextChoices):
        SELLER = "seller", _("Seller")
        BUYER = "buyer", _("Buyer")

    private_offer = models.ForeignKey(PrivateOffer, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.CharField(max_length=8, choices=Author.choices)
    author_user_id = models.BigIntegerField(null=True, blank=True)
    author_api_key_id = models.UUIDField(null=True, blank=True)
    terms = models.JSONField()
    terms_sha256 = models.CharField(max_length=64)
    mandatory_clauses = models.JSONField(default=list, blank=True)
    price = models.BigIntegerField(help_text=_("Per seat, minor units."))
    quantity = models.PositiveIntegerField(help_text=_("Seats."))
    note = models.CharField(_("note"), max_length=1000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["private_offer", "number"]
        constraints = [
            models.UniqueConstraint(fields=["private_offer", "number"], name="private_offer_revision_unique"),
            models.CheckConstraint(
                condition=Q(price__gt=0) & Q(quantity__gt=0), name="private_offer_revision_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.private_offer_id} r{self.number} by {self.author}"


class Auction(models.Model):
    """A sealed-bid auction of ``seats`` licence seats (one for an exclusive licence) through its own offering,
    which holds the terms, their hash and, while the auction is open, the dataset's exclusivity.

    At ``closes_at`` the ``seats`` highest bids at or above the reserve win (ties to the earlier bid; a raise takes
    the time of the raise) and every winner pays the uniform price: the highest of the reserve and the best losing
    bid (second price for one seat). A winner whose payment is declined loses its seat to the next bid at or above
    the reserve, and the price is computed again by the same rule."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        NO_SALE = "no_sale", _("No sale")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seller = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="auctions")
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="auctions")
    offering = models.OneToOneField(Offering, on_delete=models.PROTECT, related_name="auction")
    seats = models.PositiveIntegerField(default=1)
    reserve_price = models.BigIntegerField(help_text=_("Per seat, minor units."))
    currency = models.CharField(max_length=3, default="JPY")
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # Known from the close on: the uniform price per seat, and how many bids there were then.
    clearing_price = models.BigIntegerField(null=True, blank=True)
    bids_received = models.PositiveIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["closes_at", "id"]
        indexes = [models.Index(fields=["status", "closes_at"], name="auction_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="auction_seats_positive"),
            models.CheckConstraint(condition=Q(reserve_price__gt=0), name="auction_reserve_positive"),
            models.CheckConstraint(
                condition=Q(clearing_price__isnull=True) | Q(clearing_price__gte=F("reserve_price")),
                name="auction_clears_at_or_above_reserve",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.seats} seat(s) closes {self.closes_at:%Y-%m-%d %H:%M}"


class AuctionBid(models.Model):
    """A bidder's one sealed bid in an auction, raised or withdrawn until the close. Nobody else sees it, nor how
    many bids there are, before the close. ``placed_at`` is the time of the latest raise: ties go to the earlier."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        # Won, then the payment was declined: the seat passed to the next bid.
        FORFEITED = "forfeited", _("Forfeited")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="bids")
    bidder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="auction_bids")
    price = models.BigIntegerField(help_text=_("Per seat, minor units."))
    accepted_terms_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    placed_at = models.DateTimeField()
    placed_by_user_id = models.BigIntegerField(null=True, blank=True)
    placed_by_api_key_id = models.UUIDField(null=True, blank=True)
    trade = models.OneToOneField(Trade, null=True, blank=True, on_delete=models.PROTECT, related_name="auction_bid")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-price", "placed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["auction", "bidder"], name="auction_one_bid_per_bidder"),
            models.CheckConstraint(condition=Q(price__gt=0), name="auction_bid_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.auction_id} {self.bidder_id} {self.price} {self.status}"


class DealEvent(models.Model):
    """Append-only: what happened to a request, a private offer or an auction (and who did it)."""

    data_request = models.ForeignKey(DataRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    private_offer = models.ForeignKey(
        PrivateOffer, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    auction = models.ForeignKey(Auction, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    actor_organization_id = models.UUIDField(null=True, blank=True)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(data_request__isnull=False, private_offer__isnull=True, auction__isnull=True)
                | Q(data_request__isnull=True, private_offer__isnull=False, auction__isnull=True)
                | Q(data_request__isnull=True, private_offer__isnull=True, auction__isnull=False),
                name="deal_event_names_one_deal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"
