from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project's plumbing as an app, so that every process (web, worker, beat, manage.py) checks the
    market's settings when it starts: a bad ``ICHIBA_*`` value stops it there, named, instead of failing the
    first trade or download that reads it (config/market.py)."""

    name = "config"
    verbose_name = "Configuration"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from config.market import market_settings
        from config.request_id import request_id_release

        market_settings()
        # A request's id stays bound until its response is closed (config/request_id.py).
        request_finished.connect(request_id_release, dispatch_uid="ichiba-request-id-release")
