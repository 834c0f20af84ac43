from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "vigie.screening"
    label = "screening"
    verbose_name = _("Screening")
    default_auto_field = "django.db.models.BigAutoField"
    nav = [
        ("screening:search", _("Screening"), "screening.run"),
        ("screening:batch", _("Batch screening"), "screening.run"),
        ("screening:review", _("Review queue"), "screening.review"),
        ("screening:subjects", _("Saved subjects"), "screening.run"),
        ("screening:lists", _("Watchlists"), "screening.run"),
    ]

    def ready(self) -> None:
        from vigie.core import changelog
        from vigie.screening import tasks  # noqa: F401  (registers the job handlers)
        from vigie.screening.models import Decision, Subject

        changelog.register(Subject, Decision)

        from django.apps import apps
        from django.db.models.signals import post_save

        if apps.is_installed("vigie.cases"):
            from vigie.cases.models import Perpetrator
            from vigie.screening.perpetrators import on_perpetrator_saved

            post_save.connect(
                on_perpetrator_saved, sender=Perpetrator, dispatch_uid="screening.perpetrator"
            )
            # Bulk imports write perpetrators without post_save: one job screens them all.
            from vigie.cases.signals import cases_imported
            from vigie.screening.perpetrators import on_cases_imported

            cases_imported.connect(on_cases_imported, dispatch_uid="screening.cases_imported")
