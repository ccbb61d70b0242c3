"""Pages of the order book: each offering's book and tape (charts and tables), the order forms of buyers and
of the offering's seller, the result of an order, and "My orders" with cancelling.

Thin like the API views: reads through ``marketplace.selectors``, writes through ``order_place`` and
``order_cancel``, the principal from ``principal_of``. A ``DomainError`` is shown with the form that caused
it, which keeps what was typed.

"Buy now" is a **limit order at the best ask price the buyer saw, immediate or cancel** — not a market
order. A market order would sweep whatever asks rest when the order arrives, so a buyer could pay more
than the price on the page if the book moved in between. With a limit at the shown price the buyer pays at
most that price per seat; seats not available at it are cancelled, never left resting on the book.

A buyer's order is never placed unseen: the buy-now and bid forms open the **review** (``order_review``, a GET page
whose URL holds the whole purchase, so signing in again after a session expired comes back to it), which shows the
licence, the price, the consumption tax and the total (``marketplace.selectors.purchase_quote``) and the terms'
hash; only its "Confirm" posts the order, naming the hash and the best ask it showed. A post that was not
reviewed, or whose terms or best ask changed since, is sent back to the review, which says what changed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from catalog.models import DataClass
from config.api.principal import Principal, principal_of
from config.errors import Conflict, DomainError, Forbidden, NotFound, RuleViolation
from config.market import market_settings
from config.web import principal_required
from contracts import eligibility
from contracts.templatetags.ichiba import countries
from contracts.terms import term_int
from contracts.web.display import money
from marketplace import selectors
from marketplace.matching.streams import MatcherPending
from marketplace.models import Offering, Order, Trade
from marketplace.selectors import BestPrice, BookLevel, Quote, purchase_quote
from marketplace.services.orders import MAX_PRICE, MAX_QUANTITY, order_cancel, order_place
from marketplace.web.charts import DepthChart, PriceChart, depth_chart, price_chart

# The reasons services and the engine record on an order (plain English strings), as people read them.
REASON_LABELS = {
    "cancelled by its owner": gettext_lazy("cancelled by its owner"),
    "expired": gettext_lazy("expired"),
    "no liquidity": gettext_lazy("no counter-orders at this price"),
    "self-trade prevented": gettext_lazy("it would have traded with your own organisation's order"),
    "fill or kill not possible": gettext_lazy("could not be filled in full at once"),
    "seat cap reached": gettext_lazy("every licence seat is sold"),
}

TAPE_ROWS = 20  # trades listed under the price chart
CHART_TRADES = 100  # trades drawn on the price chart
ORDERS_PAGE_SIZE = 50


member_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation trading on the market place orders.")
)


# --- the order forms ---------------------------------------------------------------------------------
# They check only the shape of what was typed; who may trade, the terms' hash, the territory and the seat cap
# are decided by ``marketplace.services.orders.order_place``, whose refusals the view shows.

SHA256_HEX = r"^[0-9a-f]{64}$"


def _seats_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("Seats"),
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"step": 1}),
        **kwargs,
    )


def _price_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("Price per seat"),
        min_value=1,
        max_value=MAX_PRICE,
        help_text=gettext_lazy("In minor units of the offering's currency (yen for JPY)."),
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
        **kwargs,
    )


def order_field_error(field: str, message: str) -> str:
    """The reason ``order_place`` gives for a field (``errors={"expires_at": ["must be in the future"]}``, plain
    English kept stable for the API) as the form says it to people; an unknown reason is shown as it is."""
    labels = {
        ("price", "out of range"): gettext_lazy("The price per seat must be between 1 and %(max)s.")
        % {"max": f"{MAX_PRICE:,}"},
        ("price", "required for a limit order"): gettext_lazy("Enter a price per seat."),
        ("quantity", "out of range"): gettext_lazy("The number of seats must be between 1 and %(max)s.")
        % {"max": f"{MAX_QUANTITY:,}"},
        ("quantity", "required"): gettext_lazy("Enter a number of seats."),
        ("time_in_force", "invalid"): gettext_lazy("Choose how long the order stays valid."),
        ("expires_at", "required for gtd"): gettext_lazy("Enter until when your offer is valid."),
        ("expires_at", "must be in the future"): gettext_lazy("The expiry must be in the future."),
        ("expires_at", "only for gtd"): gettext_lazy("An expiry is only for “good till date” orders."),
    }
    return str(labels.get((field, message), message))


class OrderForm(forms.Form):
    """What every order form shares: which form it is (``action``), the arguments of ``order_place`` it
    stands for, and showing a refusal of the service next to the field it names."""

    action = ""

    def order_arguments(self) -> dict[str, Any]:
        raise NotImplementedError

    def add_domain_error(self, exc: DomainError) -> None:
        """A refusal about a field the reader sees goes next to it, in the field's words and the reader's
        language; the service's (English) detail is shown above only when something is not said at a field."""
        placed = 0
        for key, reasons in exc.errors.items():
            if key in self.fields and not self.fields[key].widget.is_hidden:
                self.add_error(key, "; ".join(order_field_error(key, str(m)) for m in reasons))
                placed += 1
        if not placed or placed < len(exc.errors):
            self.add_error(None, exc.detail)


class TermsAcceptanceForm(OrderForm):
    """A buy order names the hash of the terms the buyer read and ticked (the service compares it)."""

    accepted_terms_sha256 = forms.RegexField(SHA256_HEX, widget=forms.HiddenInput)
    accept_terms = forms.BooleanField(
        label=gettext_lazy("I have read and accept these terms"),
        error_messages={"required": gettext_lazy("Tick the box to accept the terms before you buy.")},
    )

    def __init__(self, *args: Any, anonymized: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if anonymized:
            self.fields["accept_terms"].label = gettext_lazy(
                "I have read and accept these terms (and, for anonymised data, the APPI notice and the "
                "re-identification ban)"
            )


class BuyNowForm(TermsAcceptanceForm):
    """Buy now: a limit order at the best ask price the buyer saw, immediate or cancel (see orders.py)."""

    action = "buy_now"
    price = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = _seats_field(initial=1)
    field_order = ["quantity", "accept_terms"]

    def order_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "side": "buy",
            "type": "limit",
            "price": data["price"],
            "quantity": data["quantity"],
            "time_in_force": "ioc",
            "accepted_terms_sha256": data["accepted_terms_sha256"],
        }


def bid_far_above_best_ask(*, price: int, best_ask: int | None) -> bool:
    """The fat-finger guard of the web's bid form: a bid priced above ``ICHIBA_FAT_FINGER_RATIO`` times the best ask
    (15,000 typed for 1,500) is shown back to be confirmed before it is placed. With no ask to compare, nothing is
    flagged. The API takes any price in range: a program means what it sends."""
    if best_ask is None:
        return False
    return Decimal(price) > market_settings().fat_finger_ratio * best_ask


@dataclass(frozen=True)
class FarAboveBestAsk:
    """Why a bid came back to be confirmed: its price and the best ask it is far above."""

    price: int
    best_ask: int
    ratio: Decimal


class BidForm(TermsAcceptanceForm):
    """Offer a lower price: a bid that rests on the book until a seller meets it, it is cancelled or it expires. In
    plain words it is valid until a date (good till date, a week by default); the exchange's other times in force
    (GTC, IOC, FOK) are under "Advanced"."""

    action = "bid"
    TIME_IN_FORCE = [
        ("gtd", gettext_lazy("Until the date above (good till date, GTD)")),
        ("gtc", gettext_lazy("Until I cancel it (good till cancelled, GTC)")),
        (
            "ioc",
            gettext_lazy("Only what a seller offers right now; the rest is cancelled (immediate or cancel, IOC)"),
        ),
        ("fok", gettext_lazy("Every seat at once, or nothing (fill or kill, FOK)")),
    ]
    VALID_DAYS = 7  # the offer's validity the form starts with

    price = _price_field()
    quantity = _seats_field(initial=1)
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Valid until"),
        required=False,
        help_text=gettext_lazy("Japan time. If no seller has met your price by then, the offer is withdrawn."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    time_in_force = forms.ChoiceField(
        label=gettext_lazy("How long the offer stays"),
        choices=TIME_IN_FORCE,
        initial="gtd",
        required=False,  # until a date unless chosen otherwise
        widget=forms.RadioSelect,
    )
    # The price the buyer confirmed when the guard flagged it (bid_far_above_best_ask); only that price passes.
    confirm_price = forms.IntegerField(required=False, widget=forms.HiddenInput)
    field_order = ["price", "quantity", "expires_at", "time_in_force", "accept_terms"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price"].label = gettext_lazy("Your price per seat")
        self.fields["expires_at"].initial = timezone.localtime().replace(second=0, microsecond=0) + timedelta(
            days=self.VALID_DAYS
        )
        self.far_above: FarAboveBestAsk | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["time_in_force"] = cleaned.get("time_in_force") or "gtd"
        if cleaned["time_in_force"] == "gtd":
            if cleaned.get("expires_at") is None and not self.has_error("expires_at"):
                self.add_error("expires_at", gettext_lazy("Enter until when your offer is valid."))
        else:
            cleaned["expires_at"] = None
        return cleaned

    def needs_confirmation(self, best_ask: int | None) -> bool:
        """Whether the valid bid is far above ``best_ask`` and its price was not confirmed yet; if so the form
        remembers why, to ask."""
        price = self.cleaned_data["price"]
        confirmed = self.cleaned_data.get("confirm_price") == price
        if best_ask is None or confirmed or not bid_far_above_best_ask(price=price, best_ask=best_ask):
            return False
        self.far_above = FarAboveBestAsk(price=price, best_ask=best_ask, ratio=market_settings().fat_finger_ratio)
        return True

    def order_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "side": "buy",
            "type": "limit",
            "price": data["price"],
            "quantity": data["quantity"],
            "time_in_force": data["time_in_force"],
            "expires_at": data["expires_at"],
            "accepted_terms_sha256": data["accepted_terms_sha256"],
        }


class AskForm(OrderForm):
    """The seller's ask; "unlimited" only for an offering with unlimited seats (the service checks it too)."""

    action = "ask"
    price = _price_field()
    quantity = _seats_field(required=False)
    unlimited = forms.BooleanField(label=gettext_lazy("Unlimited seats"), required=False)

    def __init__(self, *args: Any, unlimited_allowed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unlimited_allowed = unlimited_allowed
        if not unlimited_allowed:
            del self.fields["unlimited"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("unlimited"):
            if cleaned.get("quantity") is not None:
                self.add_error("quantity", gettext_lazy("Enter a number of seats or tick “Unlimited seats”, not both."))
        elif cleaned.get("quantity") is None and not self.has_error("quantity"):
            message = (
                gettext_lazy("Enter a number of seats, or tick “Unlimited seats”.")
                if self.unlimited_allowed
                else gettext_lazy("Enter a number of seats.")
            )
            self.add_error("quantity", message)
        return cleaned

    def order_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        quantity = None if data.get("unlimited") else data["quantity"]
        return {"side": "sell", "type": "limit", "price": data["price"], "quantity": quantity, "time_in_force": "gtc"}


class SellIntoBidForm(OrderForm):
    """Sell into a resting bid: a limit sell at that bid's price, immediate or cancel."""

    action = "sell_into"
    price = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = _seats_field()

    def order_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "side": "sell",
            "type": "limit",
            "price": data["price"],
            "quantity": data["quantity"],
            "time_in_force": "ioc",
        }


class OrderStatusFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", gettext_lazy("All")), *Order.Status.choices]


def offering_or_404(offering_id: Any) -> Offering:
    try:
        return selectors.offering_get(offering_id=offering_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


# --- who may do what on an offering's book ------------------------------------------------------------

ANONYMOUS, BUYER, SELLER, REFUSED, CLOSED = "anonymous", "buyer", "seller", "refused", "closed"


# The buyer rule's refusals (contracts.eligibility) as a person reads them; the rule itself is not decided here.
REFUSAL_TEXTS = {
    eligibility.UNVERIFIED: gettext_lazy(
        "Your organisation has not been verified by the market operator yet, so it cannot place orders. "
        "Only verified organisations trade on Ichiba; the operator checks each organisation's identity "
        "and business before it may buy or sell."
    ),
    eligibility.NOT_A_BUYER: gettext_lazy("Your organisation does not have the buyer role, so it cannot buy licences."),
    eligibility.OWN_OFFERING: gettext_lazy("Your organisation sells this offering, so it cannot buy it."),
    eligibility.OTHER_TERMS: gettext_lazy(
        "The offering's terms are not the ones shown to you: read them again before buying."
    ),
    eligibility.OUTSIDE_TERRITORY: gettext_lazy(
        "This offering may be used only in %(territory)s; your organisation is registered in %(country)s, "
        "so it cannot buy it."
    ),
}


def trading_role(principal: Principal | None, offering: Offering) -> tuple[str, str]:
    """What the viewer may do on this offering's book, and why not when they may not.

    Only chooses which forms to show: the offering's seller gets the seller's forms (if verified), anyone else
    the buyer's if ``contracts.eligibility`` lets it buy having accepted the terms the page shows; the services
    decide again when the order comes.
    """
    if offering.status != Offering.Status.ACTIVE:
        return CLOSED, _("This offering has been withdrawn: its book accepts no orders.")
    if principal is None:
        return ANONYMOUS, ""
    if principal.organization_id == offering.seller_id:
        return (SELLER, "") if principal.verified else (REFUSED, str(REFUSAL_TEXTS[eligibility.UNVERIFIED]))
    refusal = eligibility.buyer_refusal(
        buyer=eligibility.Buyer.of(principal), offering=offering, accepted_terms_sha256=offering.terms_sha256
    )
    if refusal is None:
        return BUYER, ""
    facts = {"territory": ", ".join(offering.terms.get("territory", [])), "country": principal.country}
    return REFUSED, str(REFUSAL_TEXTS[refusal.code]) % facts


# --- the market panel of an offering (its book, its tape, the order forms) ----------------------------


@dataclass
class SellIntoLevel:
    level: BookLevel
    form: SellIntoBidForm


@dataclass
class Market:
    offering: Offering
    anonymized: bool
    bids: list[BookLevel]
    asks: list[BookLevel]
    depth: DepthChart | None
    prices: PriceChart | None
    tape: list[Trade]
    best_bid: BookLevel | None
    best_ask: BookLevel | None
    last_trade: Trade | None
    role: str
    refusal: str
    viewer_id: uuid.UUID | None
    sold_out: bool
    buy_now_max: int | None = None
    buy_now_form: OrderForm | None = None
    bid_form: OrderForm | None = None
    ask_form: OrderForm | None = None
    sell_into: list[SellIntoLevel] = field(default_factory=list)

    @property
    def duration_days(self) -> int:
        return term_int(self.offering.terms["duration_days"], path="terms.duration_days")

    @property
    def territory_names(self) -> str:
        """Where the licence may be used, as country names with their codes ("ドイツ (DE), 日本 (JP)")."""
        return countries(self.offering.terms.get("territory", []))

    @property
    def best_price(self) -> BestPrice:
        """What the buy box says first: ``marketplace.web.display.price_phrase`` of this."""
        return BestPrice.of(self.offering, self.best_ask.price if self.best_ask else None)

    @property
    def sides(self) -> list[tuple[str, list[BookLevel], str]]:
        return [("bid", self.bids, _("Bids (buy)")), ("ask", self.asks, _("Asks (sell)"))]


def _auto_id(action: str, offering: Offering) -> str:
    """Field ids unique on a page that shows several offerings' forms (the dataset page)."""
    return f"{action}-{str(offering.id)[:8]}-%s"


def _form_kwargs(action: str, offering: Offering) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"auto_id": _auto_id(action, offering)}
    if action in (BuyNowForm.action, BidForm.action):
        kwargs["anonymized"] = offering.dataset.data_class == DataClass.ANONYMIZED
    if action == AskForm.action:
        kwargs["unlimited_allowed"] = offering.license_seats is None
    return kwargs


def order_form(action: str, offering: Offering, data: Any = None, initial: dict[str, Any] | None = None) -> OrderForm:
    forms: dict[str, type[OrderForm]] = {
        BuyNowForm.action: BuyNowForm,
        BidForm.action: BidForm,
        AskForm.action: AskForm,
        SellIntoBidForm.action: SellIntoBidForm,
    }
    if action not in forms:
        raise Http404(_("No such order form."))
    initial = {"accepted_terms_sha256": offering.terms_sha256, **(initial or {})}
    return forms[action](data, initial=initial, **_form_kwargs(action, offering))


def _capped(seats: int | None, cap: int | None) -> int | None:
    if seats is None:
        return cap
    return seats if cap is None else min(seats, cap)


def market_for(request: HttpRequest, offering: Offering) -> Market:
    """The offering's market as this request's viewer sees it, read once per request: the dataset page shows its buy
    box near the top and its book further down."""
    markets: dict[uuid.UUID, Market] = request.__dict__.setdefault("_ichiba_markets", {})
    if offering.id not in markets:
        markets[offering.id] = _market(request, offering)
    return markets[offering.id]


def _market(request: HttpRequest, offering: Offering) -> Market:
    principal = principal_of(request)
    depth = selectors.book_depth(offering=offering)
    bids, asks = depth["bids"], depth["asks"]
    recent = list(selectors.trades_tape(offering_id=offering.id).order_by("-executed_at", "-id")[:CHART_TRADES])
    role, refusal = trading_role(principal, offering)
    market = Market(
        offering=offering,
        anonymized=offering.dataset.data_class == DataClass.ANONYMIZED,
        bids=bids,
        asks=asks,
        depth=depth_chart(bids=bids, asks=asks),
        prices=price_chart([(t.executed_at, t.price, t.quantity) for t in recent]),
        tape=recent[:TAPE_ROWS],
        best_bid=bids[0] if bids else None,
        best_ask=asks[0] if asks else None,
        last_trade=recent[0] if recent else None,
        role=role,
        refusal=refusal,
        viewer_id=principal.organization_id if principal else None,
        sold_out=offering.seats_left == 0,
    )
    if role == BUYER and not market.sold_out:
        if market.best_ask is not None:
            market.buy_now_max = _capped(market.best_ask.quantity, offering.seats_left)
            initial = {"price": market.best_ask.price, "quantity": 1}
            market.buy_now_form = order_form(BuyNowForm.action, offering, initial=initial)
            if market.buy_now_max is not None:  # more would not fill at this price (nothing is left resting)
                market.buy_now_form.fields["quantity"].widget.attrs["max"] = market.buy_now_max
        market.bid_form = order_form(BidForm.action, offering)
    if role == SELLER and not market.sold_out:
        market.ask_form = order_form(AskForm.action, offering)
        for level in bids:
            seats = _capped(level.quantity, offering.seats_left)
            form = SellIntoBidForm(
                initial={"price": level.price, "quantity": seats},
                auto_id=f"sell-into-{str(offering.id)[:8]}-{level.price}-%s",
            )
            market.sell_into.append(SellIntoLevel(level=level, form=form))
    return market


# --- placing an order ---------------------------------------------------------------------------------


def problem_lead(exc: DomainError) -> str:
    """A sentence in the reader's language before the service's own (English) problem detail."""
    if isinstance(exc, Forbidden):
        return _("Your organisation may not place this order.")
    if isinstance(exc, Conflict):
        return _("The order does not fit the offering as it is now.")
    if isinstance(exc, RuleViolation):
        return _("A market rule refuses this order.")
    return _("The order is not valid.")


# The buyer's forms, which pass through the review before an order is placed.
BUYER_ACTIONS = ("buy_now", "bid")
# The fields of a purchase the review's URL and its confirmation carry (plus ``best_ask``, the best ask shown).
PURCHASE_FIELDS = (
    "action",
    "price",
    "quantity",
    "time_in_force",
    "expires_at",
    "accepted_terms_sha256",
    "accept_terms",
    "confirm_price",  # a bid far above the best ask, its price confirmed (BidForm.needs_confirmation)
)


def _purchase_url(name: str, offering_id: uuid.UUID, values: QueryDict | dict[str, Any]) -> str:
    """The review's (or the order form's) URL holding a purchase: the values as typed, nothing else."""
    query = {key: str(values.get(key)) for key in (*PURCHASE_FIELDS, "best_ask") if values.get(key) not in (None, "")}
    return f"{reverse(name, args=[offering_id])}?{urlencode(query)}"


def _best_ask(offering: Offering) -> BookLevel | None:
    return next(iter(selectors.book_depth(offering=offering, levels=1)["asks"]), None)


def _seen_ask(value: Any) -> int | None:
    """The best ask a form says the buyer saw ("" or absent: none was shown)."""
    try:
        return int(str(value))
    except ValueError:
        return None


def order_ticket(request: HttpRequest, offering_id: uuid.UUID) -> HttpResponse:
    """A buyer whose session ended on the review comes back to the same review after signing in."""
    if request.method == "POST" and not request.user.is_authenticated and request.POST.get("action") in BUYER_ACTIONS:
        return redirect_to_login(_purchase_url("web:order_review", offering_id, request.POST))
    return _order_ticket(request, offering_id=offering_id)


@member_required
def _order_ticket(request: HttpRequest, principal: Principal, offering_id: uuid.UUID) -> HttpResponse:
    """One order form on its own page: where a form posts, and where it comes back with a refusal."""
    offering = offering_or_404(offering_id)
    if not offering.on_book:  # a deal's own offering takes no order
        raise Http404
    action = str(request.POST.get("action") or request.GET.get("action") or BidForm.action)
    initial: dict[str, Any] = {}
    if action in BUYER_ACTIONS:  # "Change" on the review comes back with the values it held
        initial = {
            key: request.GET[key]
            for key in ("price", "quantity", "time_in_force", "expires_at")
            if request.GET.get(key)
        }
    if action == BuyNowForm.action:
        best_ask = _best_ask(offering)
        initial = {"quantity": 1, **initial, "price": best_ask.price if best_ask else None}
    form = order_form(action, offering, request.POST if request.method == "POST" else None, initial)
    refusal = ""
    status = 400 if request.method == "POST" else 200  # a form that comes back was refused
    if request.method == "POST" and form.is_valid() and isinstance(form, BidForm):
        best_ask = next(iter(selectors.book_depth(offering=offering, levels=1)["asks"]), None)
        if form.needs_confirmation(best_ask.price if best_ask else None):
            status = 200  # nothing was refused: the page asks the buyer to confirm the price
    if request.method == "POST" and form.is_valid() and not getattr(form, "far_above", None):
        if action in BUYER_ACTIONS and _review_needed(request.POST, offering):
            return redirect(_purchase_url("web:order_review", offering.id, request.POST))
        try:
            placed = order_place(principal=principal, offering_id=offering.id, **form.order_arguments())
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except DomainError as exc:
            form.add_domain_error(exc)
            refusal, status = problem_lead(exc), exc.status
        except MatcherPending:
            # The market's matcher did not answer in time: the order is decided once, shortly; the list shows how.
            messages.info(request, _("Your order was sent and is being matched: it appears in your orders shortly."))
            return redirect("web:orders")
        else:
            done = placed.trades or placed.order.status in Order.RESTING
            (messages.success if done else messages.warning)(request, _placed_message(placed.order, len(placed.trades)))
            return redirect("web:order", order_id=placed.order.id)
    return _ticket(request, principal, offering, form, action=action, refusal=refusal, status=status)


def _review_needed(posted: QueryDict, offering: Offering) -> bool:
    """Whether a buyer's order must be (re)viewed before it is placed: it was not confirmed on the review, or the
    offering's terms or its best ask are no longer the ones the review showed."""
    if posted.get("reviewed") != "1":
        return True
    if posted.get("accepted_terms_sha256") != offering.terms_sha256:
        return True
    best_ask = _best_ask(offering)
    return _seen_ask(posted.get("best_ask")) != (best_ask.price if best_ask else None)


def _ticket(
    request: HttpRequest,
    principal: Principal,
    offering: Offering,
    form: OrderForm,
    *,
    action: str,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    role, role_refusal = trading_role(principal, offering)
    return render(
        request,
        "marketplace/order_ticket.html",
        {
            "offering": offering,
            "dataset": offering.dataset,
            "form": form,
            "action": action,
            "title": _ticket_title(action),
            "refusal": refusal,
            "role": role,
            "role_refusal": role_refusal,
            "anonymized": offering.dataset.data_class == DataClass.ANONYMIZED,
            "market": market_for(request, offering),
        },
        status=status,
    )


# --- the review before a buyer's order ----------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """What the review page shows of a purchase and what its confirmation posts."""

    quote: Quote | None  # None: buy now, and no seat is offered any more
    changes: list[str]  # what changed since the buyer looked, in the reader's language
    terms_changed: bool  # the terms are not those the buyer accepted: they must be accepted again
    confirm: list[tuple[str, str]]  # the confirmation's hidden fields
    best_ask: BookLevel | None
    trades_at_once: bool  # a bid at or above the best ask trades at once


def _review(offering: Offering, principal: Principal, form: OrderForm, given: QueryDict) -> Review:
    data = form.cleaned_data
    best_ask = _best_ask(offering)
    now_ask = best_ask.price if best_ask else None
    changes: list[str] = []
    terms_changed = data["accepted_terms_sha256"] != offering.terms_sha256
    if terms_changed:
        changes.append(_("The offering's terms changed since you accepted them: read them again and accept them."))

    def asks(seen: int | None) -> None:
        if seen == now_ask:
            return
        if now_ask is None:
            changes.append(
                _("The best ask of %(before)s was taken: no seat is offered now.")
                % {"before": money(seen or 0, offering.currency)}
            )
        elif seen is None:
            changes.append(_("A seller now offers seats at %(after)s.") % {"after": money(now_ask, offering.currency)})
        else:
            changes.append(
                _("The best ask changed from %(before)s to %(after)s per seat.")
                % {"before": money(seen, offering.currency), "after": money(now_ask, offering.currency)}
            )

    price = data["price"]
    if form.action == BuyNowForm.action:
        asks(price)
        price = now_ask
    elif "best_ask" in given:
        asks(_seen_ask(given.get("best_ask")))
    quote = None
    if price is not None:
        quote = purchase_quote(
            offering=offering, buyer_country=principal.country, price=price, quantity=data["quantity"]
        )
    confirm = [
        ("action", form.action),
        ("price", str(price or "")),
        ("quantity", str(data["quantity"])),
        ("accepted_terms_sha256", offering.terms_sha256),
        ("best_ask", str(now_ask or "")),
        ("reviewed", "1"),
    ]
    if form.action == BidForm.action:
        confirm.append(("time_in_force", data["time_in_force"]))
        if data["expires_at"] is not None:
            confirm.append(("expires_at", str(given.get("expires_at"))))
        if data.get("confirm_price") is not None:
            confirm.append(("confirm_price", str(data["confirm_price"])))
    return Review(
        quote=quote,
        changes=changes,
        terms_changed=terms_changed,
        confirm=confirm,
        best_ask=best_ask,
        trades_at_once=form.action == BidForm.action and now_ask is not None and data["price"] >= now_ask,
    )


@member_required
def order_review(request: HttpRequest, principal: Principal, offering_id: uuid.UUID) -> HttpResponse:
    """The review of a buyer's order before it is placed: a GET page whose URL holds the purchase (the sign-in's
    ``next`` comes back to it); its "Confirm" posts the order to ``order_ticket``."""
    offering = offering_or_404(offering_id)
    if not offering.on_book:
        raise Http404
    action = str(request.GET.get("action") or "")
    if action not in BUYER_ACTIONS:
        raise Http404(_("No such order form."))
    given = request.GET.copy()
    if action == BuyNowForm.action and not given.get("price"):  # a link without the price seen: the best ask
        best_ask = _best_ask(offering)
        given["price"] = str(best_ask.price) if best_ask else ""
    form = order_form(action, offering, given)
    role, _refusal = trading_role(principal, offering)
    if not form.is_valid():
        return _ticket(request, principal, offering, form, action=action, status=400)
    if role != BUYER or offering.seats_left == 0:  # the ticket says why (withdrawn, refused, sold out)
        return _ticket(request, principal, offering, form, action=action, status=403 if role == REFUSED else 409)
    if isinstance(form, BidForm):  # a price far above the best ask is confirmed on the form before the review
        best_ask = _best_ask(offering)
        if form.needs_confirmation(best_ask.price if best_ask else None):
            return _ticket(request, principal, offering, form, action=action)
    review = _review(offering, principal, form, given)
    return render(
        request,
        "marketplace/order_review.html",
        {
            "offering": offering,
            "dataset": offering.dataset,
            "action": action,
            "title": _("Review your bid") if action == BidForm.action else _("Review your purchase"),
            "review": review,
            "quote": review.quote,
            "expires_at": form.cleaned_data.get("expires_at"),
            "time_in_force": form.cleaned_data.get("time_in_force"),
            "time_in_force_label": dict(BidForm.TIME_IN_FORCE).get(form.cleaned_data.get("time_in_force") or "", ""),
            "terms_url": reverse("web:offering", args=[offering.id]) + "#terms-heading",
            "change_url": _purchase_url("web:order_ticket", offering.id, request.GET),
            "bid_url": _purchase_url(
                "web:order_ticket", offering.id, {"action": BidForm.action, "quantity": form.cleaned_data["quantity"]}
            ),
        },
    )


def _ticket_title(action: str) -> str:
    titles = {
        BuyNowForm.action: _("Buy now"),
        BidForm.action: _("Offer a price"),
        AskForm.action: _("Place an ask"),
        SellIntoBidForm.action: _("Sell into a bid"),
    }
    return titles[action]


def _placed_message(order: Order, trades: int) -> str:
    if trades:
        seats = order.filled_quantity
        return "{} {}".format(
            ngettext("%(count)d seat traded.", "%(count)d seats traded.", seats) % {"count": seats},
            _("Each trade concluded a contract, linked below."),
        )
    if order.status in Order.RESTING:
        return _("The order rests on the book.")
    return _("The order did not trade.")


# --- an order, my orders, cancelling ------------------------------------------------------------------


@dataclass(frozen=True)
class TradeLine:
    trade: Trade
    amount: int  # price × seats, in minor units


@dataclass(frozen=True)
class TradedPrices:
    """The prices an order traded at, as its page states them: one price, or the lowest, the highest and the average
    per seat (weighted by seats, rounded to the minor unit) when its fills traded at several."""

    low: int
    high: int
    average: int

    @classmethod
    def of(cls, lines: list[TradeLine]) -> TradedPrices | None:
        if not lines:
            return None
        seats = sum(line.trade.quantity for line in lines)
        total = sum(line.amount for line in lines)
        average = int((Decimal(total) / seats).to_integral_value(rounding=ROUND_HALF_UP))
        prices = [line.trade.price for line in lines]
        return cls(low=min(prices), high=max(prices), average=average)

    @property
    def several(self) -> bool:
        return self.low != self.high


def _order_trades(order: Order) -> list[TradeLine]:
    related = order.buy_trades if order.side == Order.Side.BUY else order.sell_trades
    trades = related.filter(status=Trade.Status.EXECUTED).order_by("executed_at", "id")
    return [TradeLine(trade=trade, amount=trade.price * trade.quantity) for trade in trades]


@member_required
def order_detail(request: HttpRequest, principal: Principal, order_id: uuid.UUID) -> HttpResponse:
    try:
        order = selectors.order_get_owned(order_id=order_id, organization_id=principal.organization_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    offering = offering_or_404(order.offering_id)
    trades = _order_trades(order)
    return render(
        request,
        "marketplace/order.html",
        {
            "order": order,
            "offering": offering,
            "dataset": offering.dataset,
            "trades": trades,
            "amount": money(sum(line.amount for line in trades), offering.currency) if trades else "",
            "traded": TradedPrices.of(trades),
            "resting": order.status in Order.RESTING,
        },
    )


@member_required
def order_list(request: HttpRequest, principal: Principal) -> HttpResponse:
    filters = OrderStatusFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    orders = selectors.orders_owned(organization_id=principal.organization_id, status=status).select_related(
        "offering__dataset"
    )
    page = Paginator(orders, ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/orders.html",
        {
            "filters": filters,
            "status": status,
            "page": page,
            "resting": Order.RESTING,
            "unverified": not principal.verified,
        },
    )


@require_POST
@member_required
def order_cancel_view(request: HttpRequest, principal: Principal, order_id: uuid.UUID) -> HttpResponse:
    try:
        order = selectors.order_get_owned(order_id=order_id, organization_id=principal.organization_id)
        order_cancel(principal=principal, order_id=order.id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The order was cancelled; its unfilled seats left the book."))
    target = str(request.POST.get("next") or "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("web:orders")
    return redirect(target)


def _book_offerings(request: HttpRequest, dataset_id: uuid.UUID) -> list[Offering]:
    """The dataset's active offerings on the public book, read once per request (the buy boxes and the markets)."""
    read: dict[uuid.UUID, list[Offering]] = request.__dict__.setdefault("_ichiba_book_offerings", {})
    if dataset_id not in read:
        read[dataset_id] = list(
            Offering.objects.filter(
                dataset_id=dataset_id, status=Offering.Status.ACTIVE, channel=Offering.Channel.BOOK
            ).order_by("created_at")
        )
    return read[dataset_id]


def dataset_buy_box(request: HttpRequest, dataset_id: uuid.UUID) -> str:
    """The buy box of each of a dataset's active offerings, for the top of its page (catalog.hooks)."""
    offerings = _book_offerings(request, dataset_id)
    if not offerings:
        return ""
    return render_to_string("marketplace/_dataset_buy_boxes.html", {"offerings": offerings}, request=request)


def dataset_market_panel(request: HttpRequest, dataset_id: uuid.UUID) -> str:
    """The markets (book and trades) of a dataset's active offerings, for its page (catalog.hooks); their buy boxes
    are at the top of the page (``dataset_buy_box``)."""
    offerings = _book_offerings(request, dataset_id)
    if not offerings:
        return ""
    return render_to_string("marketplace/_dataset_markets.html", {"offerings": offerings}, request=request)
