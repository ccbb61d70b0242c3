from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project's plumbing as an app, so that every process (web, worker, beat, manage.py) checks the
    market's settings when it starts: a bad ``ICHIBA_*`` value stops it there, named, instead of failing the
    first trade or download that reads it (config/market.py)."""

    name = "config"
    verbose_name = "Configuration"

    def ready(self) -> None:
        from config.market import market_settings

        market_settings()
