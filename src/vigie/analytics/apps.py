from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "vigie.analytics"
    label = "analytics"
    verbose_name = _("Statistics")
    nav = [
        ("analytics:dashboard", _("Statistics"), "stats.view"),
    ]

    def ready(self) -> None:
        from vigie.analytics import tasks  # registers the job handler

        tasks.connect_signals()
