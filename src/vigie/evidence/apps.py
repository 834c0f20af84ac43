from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "vigie.evidence"
    label = "evidence"
    verbose_name = _("Evidence vault")
    nav = [
        ("evidence:items", _("Evidence"), "evidence.view"),
    ]

    def ready(self) -> None:
        from vigie.core import changelog
        from vigie.evidence import checkpoint, tasks  # noqa: F401  (registers the job handlers)
        from vigie.evidence.models import AccessApproval, Item, ItemLink

        changelog.register(Item, ItemLink, AccessApproval)
        checkpoint.register_source()
