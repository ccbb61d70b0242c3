from django.apps import AppConfig


class ApiConfig(AppConfig):
    """HTTP API plumbing shared by every app: problem details, principals, pagination, idempotency.

    It lives under config/ because all four apps' endpoints use it and none may import a higher app
    (see docs/adr/0002-shared-api-plumbing-lives-in-config.md).
    """

    name = "config.api"
    label = "api"
    verbose_name = "API plumbing"
    default_auto_field = "django.db.models.BigAutoField"
