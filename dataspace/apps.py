from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataspaceConfig(AppConfig):
    """Interoperability: the catalog in DCAT-AP 3 (``GET /catalog``) and schema.org (each dataset page); the
    Dataspace Protocol's provider, and its processes shown to their parties beside their contracts
    (docs/dataspace.md). Its contract negotiations follow settlement's announcements of a trade's payment
    (``settlement.hooks``)."""

    name = "dataspace"
    verbose_name = _("Dataspace")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog import hooks
        from contracts import hooks as contracts_hooks
        from dataspace.services import callbacks, transfers
        from dataspace.services.counter_offers import counter_offer_given_up, negotiations_on_private_offer_changed
        from dataspace.services.negotiations import negotiations_subscribe
        from dataspace.web.processes import contract_panel
        from dataspace.web.structured_data import dataset_structured_data
        from deals import hooks as deal_hooks
        from marketplace import hooks as marketplace_hooks
        from settlement import hooks as settlement_hooks

        hooks.register_dataset_head(dataset_structured_data)
        contracts_hooks.register_contract_panel(contract_panel)
        marketplace_hooks.register_nav_link(
            marketplace_hooks.NavLink("dataspace_web:negotiations", _("DSP negotiations"), audience="member")
        )
        # Transfers: the end of an entitlement terminates those under it; a message the consumer's connector never
        # took terminates its process.
        settlement_hooks.subscribe_entitlement_ended(transfers.transfers_on_entitlement_ended)
        for message_type in (
            "TransferStartMessage",
            "TransferSuspensionMessage",
            "TransferCompletionMessage",
            "TransferTerminationMessage",
        ):
            callbacks.on_given_up(message_type, transfers.transfer_on_given_up)
        negotiations_subscribe()
        # Counter-offers: a private offer proposed over the protocol moves its negotiation when the seller (or the
        # buyer, on the market) answers; a seller's offer the connector never takes terminates the negotiation.
        deal_hooks.subscribe_private_offer_changed(negotiations_on_private_offer_changed)
        callbacks.on_given_up("ContractOfferMessage", counter_offer_given_up)
