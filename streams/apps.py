from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StreamsConfig(AppConfig):
    name = "streams"
    verbose_name = _("Live streams")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Not at the top: these import models, which load only once the app registry is ready.
        from catalog import hooks as catalog_hooks
        from config.market import streams_enabled
        from settlement import hooks
        from streams.selectors import stream_messages_between
        from streams.services.clients import streams_on_subscription_changed
        from streams.web.credentials import dataset_panel, subscription_panel

        # A subscription past due, paid again or ended cuts or restores its stream client.
        hooks.subscribe_subscription_changed(streams_on_subscription_changed)
        # The close pass counts a period's messages against the offering's min_messages_per_period; in a process
        # started with streams off nothing counts them, and settlement records such a commitment as not met.
        if streams_enabled():
            hooks.register_stream_message_counter(stream_messages_between)
        # The credentials buttons: the subscriber's on its purchase's page, the seller's on its dataset's page.
        hooks.register_purchase_panel(subscription_panel)
        catalog_hooks.register_dataset_panel(dataset_panel)
