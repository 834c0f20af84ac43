from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "vigie.linkage"
    label = "linkage"
    verbose_name = _("Record linkage")
    default_auto_field = "django.db.models.BigAutoField"
    nav = [
        ("linkage:review", _("Linked records"), "linkage.review"),
        ("linkage:encode", _("Linkage without names"), "linkage.encode"),
    ]

    def ready(self) -> None:
        from vigie.core.events import records_changed
        from vigie.linkage import tasks

        # every writer of case records announces its change: note the cases, queue a job
        records_changed.connect(tasks.on_records_changed, dispatch_uid="linkage.records_changed")
