from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Deals off the book")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Not at the top: these import models, which load only once the app registry is ready.
        from catalog import hooks as catalog_hooks
        from deals.services.auctions import auction_on_trade_voided
        from deals.services.private_offers import private_offers_on_trade_voided
        from deals.web.auctions import auction_dataset_panel
        from deals.web.private_offers import dataset_panel as private_offer_dataset_panel
        from marketplace import hooks

        # The header links to the deals pages (the site shell belongs to marketplace).
        hooks.register_nav_link(hooks.NavLink("deals:data_requests", _("Requests"), audience="seller"))
        hooks.register_nav_link(hooks.NavLink("deals:my_data_requests", _("My requests"), audience="buyer"))
        # Private offers: a voided trade is recorded on its offer; "Private offers" in the header; the seller's
        # "Make a private offer" on its dataset's page.
        hooks.subscribe_trade_voided(private_offers_on_trade_voided)
        hooks.register_nav_link(hooks.NavLink("deals:private_offers", _("Private offers"), audience="member"))
        catalog_hooks.register_dataset_panel(private_offer_dataset_panel)
        # Auctions: a winner's declined payment passes its seat on to the next bid; "Auctions" in the header; a
        # dataset's open auctions (and, for its seller, "Auction this dataset") on its page.
        hooks.subscribe_trade_voided(auction_on_trade_voided)
        hooks.register_nav_link(hooks.NavLink("deals:auctions", _("Auctions"), audience="member"))
        catalog_hooks.register_dataset_panel(auction_dataset_panel)
