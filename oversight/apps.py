from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    """The market operator's interventions and records for a regulator: take-downs of datasets and offerings, and
    the audit trail's export. Above settlement: a take-down spans the catalog, the book and the buyers' purchases."""

    name = "oversight"
    verbose_name = _("Oversight")
    default_auto_field = "django.db.models.BigAutoField"
