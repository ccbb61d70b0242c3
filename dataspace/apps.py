from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataspaceConfig(AppConfig):
    """Interoperability: the catalog in DCAT-AP 3 (``GET /catalog``) and schema.org (each dataset page); the
    Dataspace Protocol's provider later (docs/dataspace.md)."""

    name = "dataspace"
    verbose_name = _("Dataspace")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog import hooks
        from dataspace.web.structured_data import dataset_structured_data

        hooks.register_dataset_head(dataset_structured_data)
