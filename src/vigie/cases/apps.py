from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "vigie.cases"
    label = "cases"
    verbose_name = _("Case records")
    default_auto_field = "django.db.models.BigAutoField"
    nav = [
        ("cases:list", _("Cases"), "case.view"),
        ("cases:create", _("New case"), "case.create"),
        ("cases:import", _("Import"), "case.import"),
        ("cases:profiles", _("Mapping profiles"), "case.import"),
    ]

    def ready(self) -> None:
        from vigie.cases import codelists, tasks  # noqa: F401  (registers the job handlers)
        from vigie.cases.models import (
            Case,
            Exploitation,
            Incident,
            MappingProfile,
            Perpetrator,
            Referral,
            RouteLeg,
            Victim,
        )
        from vigie.core import changelog

        codelists.load_all()  # a broken code list stops the start, with the file and the code
        changelog.register(
            Case,
            Incident,
            Victim,
            Exploitation,
            Perpetrator,
            RouteLeg,
            Referral,
            exclude_fields=["codes_index", "search_text"],
        )
        changelog.register(MappingProfile)
