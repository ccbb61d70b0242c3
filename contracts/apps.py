from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _forget_stored_texts(**kwargs: Any) -> None:
    """``flush`` (tests) empties the tables and then signals post_migrate: the memo of stored texts is stale."""
    from contracts.services.contracts import stored_texts_forget

    stored_texts_forget()


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Not business flow: a cache of what the database holds, invalidated when the database is emptied.
        post_migrate.connect(_forget_stored_texts, sender=self, dispatch_uid="contracts.forget_stored_texts")
