"""Saved column mappings of imports (split from the models module; ``vigie.cases.models``
re-exports every model)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.core.classification import classify
from vigie.core.models import Organisation


class MappingProfile(models.Model):
    """A saved column-and-value mapping of an organisation: the same thing as a mapping YAML
    file of ``vigie import --mapping FILE`` (vigie.cases.interchange.mapping), kept for the web
    import."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="values",
        ordinary="id organisation name layout columns created_by created_at updated_at",
    )

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    layout = models.CharField(_("base layout"), max_length=20, default="vigie")
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    values = models.JSONField(_("values"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mapping profile")
        verbose_name_plural = _("mapping profiles")
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="mappingprofile_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.organisation.code}
