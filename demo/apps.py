from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo market (``manage.py load_demo``, run by ``make run``) and the deterministic data behind it.

    Above every other app: it drives them through their services, as a user would, and none imports it. It has
    no models and no pages, so nothing it names is shown to anyone.
    """

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
