"""Staged imports: an import stage and the updates it will publish (split from the
models module; ``vigie.cases.models`` re-exports every model)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from vigie.core.classification import classify
from vigie.core.fields import (
    EncryptedTextField,
)
from vigie.core.models import Organisation


class ImportStage(models.Model):
    """An atomic import being staged (docs/adr/0043): its new cases are written in short
    committed batches with ``Case.stage`` set, invisible to every query through the default
    managers, and published in one short transaction (``stage`` cleared) or discarded.
    ``next_row`` and ``report`` commit with each batch, so a crashed import resumes."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="file report",
        ordinary="id organisation job created_by next_row created_at updated_at published_at",
    )

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # the import's job (core.Job.id), to resume after a crash; empty when run without one
    job = models.CharField(max_length=36, blank=True, default="", db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.CharField(max_length=255, blank=True, default="")
    next_row = models.PositiveBigIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)  # the importer's report so far
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # set when the stage was published with copies left to delete: they are invisible and
    # deleted after the commit, in batches (ADR 0047, eighth round); a stage still here with
    # this set is a cleanup that was interrupted, finished by the next import or the hourly
    # cleanup
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"import stage {self.pk}"


class StagedUpdates(models.Model):
    """Rows of a staged import that update cases already published and that a staged copy
    cannot carry (the case has rows the file cannot replace whole: ADR 0047), applied through
    the ORM at publication. The records, pickled, are sealed."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="records", ordinary="id stage first_row"
    )

    stage = models.ForeignKey(ImportStage, on_delete=models.CASCADE, related_name="updates")
    first_row = models.PositiveBigIntegerField()
    records = EncryptedTextField()  # base64 of the pickled batches.Valid list

    class Meta:
        ordering = ["first_row"]

    def __str__(self) -> str:
        return f"staged updates from row {self.first_row}"
