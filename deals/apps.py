from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Deals off the book")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace import hooks

        # The header links to the deals pages (the site shell belongs to marketplace).
        hooks.register_nav_link(hooks.NavLink("deals:data_requests", _("Requests"), audience="seller"))
        hooks.register_nav_link(hooks.NavLink("deals:my_data_requests", _("My requests"), audience="buyer"))
