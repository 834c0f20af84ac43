"""The privacy-budget ledger: one row per differentially private release."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.core.classification import classify


class PrivacyLedgerEntry(models.Model):
    """A differentially private release and the budget it spent (append-only)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="query",
        ordinary=(
            "id created_at user organisation label mechanism epsilon sensitivity scale cells"
        ),
    )

    created_at = models.DateTimeField(_("released at"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.SET_NULL
    )
    label = models.CharField(_("release"), max_length=200, blank=True)
    query = models.JSONField(_("query"), default=dict)
    mechanism = models.CharField(_("mechanism"), max_length=20)
    epsilon = models.FloatField(_("epsilon"))
    sensitivity = models.PositiveIntegerField(_("L1 sensitivity"))
    scale = models.FloatField(_("noise scale"))
    cells = models.PositiveIntegerField(_("cells released"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("privacy ledger entry")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.label} ε={self.epsilon:g}"


class PendingRefresh(models.Model):
    """A case changed since the snapshot last saw it (filled by signals, drained by a job)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id case_uuid noted_at",
    )

    case_uuid = models.UUIDField(unique=True)
    noted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["noted_at", "pk"]

    def __str__(self) -> str:
        return str(self.case_uuid)
