from __future__ import annotations

from typing import Any

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

        from vigie.core.events import records_changed

        # every writer of case records (a form, the API, an import) announces its change
        records_changed.connect(_on_records_changed, dispatch_uid="screening.records_changed")


def _on_records_changed(sender: Any, **kwargs: Any) -> None:
    """vigie.screening.perpetrators.on_records_changed, imported on the first change: it
    loads the matching engine, which no command needs at start (ADR 0543)."""
    from vigie.screening.perpetrators import on_records_changed

    on_records_changed(sender, **kwargs)
