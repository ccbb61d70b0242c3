from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from marketplace import hooks


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = _("Invoices")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Not at the top: the services import models, which load only once the app registry is ready.
        from invoices.services.invoices import invoices_subscribe
        from invoices.web.invoices import settlement_documents
        from settlement import hooks as settlement_hooks

        # A capture issues its invoices, a refund its return invoices, in the settlement's own transaction.
        invoices_subscribe()
        # The purchases and sales pages link each settlement's invoices.
        settlement_hooks.register_settlement_documents(settlement_documents)
        hooks.register_nav_link(hooks.NavLink("invoices:list", _("Invoices"), audience="member"))
