from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from catalog import hooks
from marketplace.api import schema  # noqa: F401 - registers the OpenAPI authentication schemes


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Not at the top: these import models, which load only once the app registry (built from apps.py) is ready.
        from config.health import readiness_check_register
        from marketplace.matching.matcher import matchers_readiness
        from marketplace.models import ApiKey, Organization
        from marketplace.selectors import dataset_best_asks, offerings_public_summary
        from marketplace.services.participants import principal_forget_on_change
        from marketplace.web.display import dataset_price_phrases
        from marketplace.web.orders import dataset_buy_box, dataset_market_panel

        hooks.register_offerings_provider(offerings_public_summary)
        hooks.register_best_asks_provider(dataset_best_asks)
        hooks.register_dataset_panel(dataset_market_panel)
        hooks.register_dataset_prices(dataset_price_phrases)
        hooks.register_dataset_buy_box(dataset_buy_box)
        readiness_check_register("matchers", matchers_readiness)
        # An API key's principal is cached (api_key_authenticate): any change of the key or its organisation,
        # the admin's included, forgets it.
        for model in (ApiKey, Organization):
            for signal in (post_save, post_delete):
                signal.connect(
                    principal_forget_on_change, sender=model, dispatch_uid=f"principal-forget-{model.__name__}"
                )
