from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "vigie.suppliers"
    label = "suppliers"
    verbose_name = _("Suppliers")
    default_auto_field = "django.db.models.BigAutoField"
    nav = [
        ("suppliers:dashboard", _("Suppliers"), "suppliers.view"),
        ("suppliers:queue", _("Supplier review"), "suppliers.review"),
    ]

    def ready(self) -> None:
        from vigie.core import changelog
        from vigie.core.events import records_changed
        from vigie.suppliers import tasks  # noqa: F401  (registers the job handlers)
        from vigie.suppliers.models import Review, Supplier
        from vigie.suppliers.watch import on_records_changed

        changelog.register(Supplier, Review)
        # a watchlist version loaded (vigie.screening.services.load_list): the new, changed
        # and removed hits of suppliers and their owners go to the procurement queue
        records_changed.connect(on_records_changed, dispatch_uid="suppliers.records_changed")
