from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "vigie.finance"
    label = "finance"
    verbose_name = _("Financial flows")
    default_auto_field = "django.db.models.BigAutoField"
    nav = [
        ("finance:alerts", _("Financial alerts"), "finance.view"),
        ("finance:imports", _("Transaction files"), "finance.view"),
    ]

    def ready(self) -> None:
        from vigie.core import changelog
        from vigie.finance import tasks  # noqa: F401  (registers the job handlers)
        from vigie.finance.models import Alert

        changelog.register(Alert)
