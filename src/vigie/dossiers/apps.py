from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "vigie.dossiers"
    label = "dossiers"
    verbose_name = _("Designation dossiers")
    default_auto_field = "django.db.models.BigAutoField"
    nav = [("dossiers:list", _("Dossiers"), "dossier.view")]

    def ready(self) -> None:
        # Vigie's own section providers; other apps (the network app) register theirs in
        # their own AppConfig.ready through vigie.dossiers.sections.register.
        from vigie.dossiers import providers

        providers.register_all()
