from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "vigie.collection"
    label = "collection"
    verbose_name = _("Field collection")
    nav = [
        ("collection:forms", _("Field forms"), "collection.manage"),
        ("collection:queue", _("Submissions"), "collection.review"),
    ]

    def ready(self) -> None:
        from vigie.collection import tasks  # noqa: F401  (registers the job handler)
        from vigie.collection.models import Publication
        from vigie.core import changelog

        # closing and reopening a form is an administrator's decision: in the change log
        changelog.register(Publication)
