import uuid

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from catalog import hooks as catalog_hooks
from marketplace import hooks


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = _("Settlement")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Not at the top: these import models, which load only once the app registry (built from apps.py) is ready.
        from settlement.selectors import settlements_of_trades
        from settlement.services.payment_methods import payment_method_save_default
        from settlement.services.payouts import payout_account_save
        from settlement.services.settlements import settlement_subscribe
        from settlement.services.subscriptions import subscriptions_on_version_published
        from settlement.services.webhooks import webhooks_on_version_published

        def save(organization_id: uuid.UUID, token: str) -> None:
            payment_method_save_default(organization_id=organization_id, token=token)

        def save_account(organization_id: uuid.UUID, account: str) -> None:
            payout_account_save(organization_id=organization_id, account=account)

        hooks.register_payment_method_saver(save)
        hooks.register_payout_account_saver(save_account)
        hooks.register_settlement_lookup(settlements_of_trades)
        # Every executed trade opens its settlement in the trade's own transaction.
        settlement_subscribe()

        def version_published(event: catalog_hooks.VersionPublished) -> None:
            webhooks_on_version_published(event)
            # Subscribers in force receive it (EntitlementVersion, entitlement.extended).
            subscriptions_on_version_published(
                dataset_id=event.dataset_id,
                version_id=event.version_id,
                number=event.number,
                sha256=event.sha256,
                published_at=event.published_at,
            )

        catalog_hooks.subscribe_version_published(version_published)

        # The header links to the settlement pages (the site shell belongs to marketplace).
        hooks.register_nav_link(hooks.NavLink("settlement:purchases", _("My purchases"), audience="buyer"))
        hooks.register_nav_link(hooks.NavLink("settlement:sales", _("Sales"), audience="seller"))
        hooks.register_nav_link(hooks.NavLink("settlement:usage", _("Usage"), audience="seller"))
