from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _forget_stored_texts(**kwargs: Any) -> None:
    """The memo of stored texts may be stale: ``flush`` emptied the tables (tests; it then signals post_migrate),
    or a new connection may reach another database than the last one did (a restore, a failover to a standby
    that missed the last commits)."""
    # Not at the top: the service imports models, which load only once the app registry (built from apps.py) is ready.
    from contracts.services.contracts import stored_texts_forget

    stored_texts_forget()


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Not business flow: a cache of what the database holds, invalidated when the database is emptied.
        post_migrate.connect(_forget_stored_texts, sender=self, dispatch_uid="contracts.forget_stored_texts")
        connection_created.connect(_forget_stored_texts, dispatch_uid="contracts.forget_stored_texts_on_connect")
