from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from catalog import hooks
from marketplace.api import schema  # noqa: F401 - registers the OpenAPI authentication schemes


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Not at the top: these import models, which load only once the app registry (built from apps.py) is ready.
        from marketplace.selectors import offerings_public_summary
        from marketplace.web.orders import dataset_market_panel

        hooks.register_offerings_provider(offerings_public_summary)
        hooks.register_dataset_panel(dataset_market_panel)
