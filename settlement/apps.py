import uuid

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = _("Settlement")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace import hooks
        from settlement.services.payment_methods import payment_method_save_default

        def save(organization_id: uuid.UUID, token: str) -> None:
            payment_method_save_default(organization_id=organization_id, token=token)

        hooks.register_payment_method_saver(save)
