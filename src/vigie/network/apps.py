from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "vigie.network"
    label = "network"
    verbose_name = _("Networks")
    default_auto_field = "django.db.models.BigAutoField"
    nav = [("network:chart", _("Link chart"), "network.view")]

    def ready(self) -> None:
        from vigie.core.events import records_changed
        from vigie.dossiers.sections import register
        from vigie.network import tasks
        from vigie.network.dossier import network_section

        records_changed.connect(tasks.on_records_changed, dispatch_uid="network.records_changed")
        register("network", network_section, order=50)
