"""Watchlists and their versions, listed entries with their history, saved subjects, hits
(potential matches, i.e. alerts) and the reviewers' decisions on them."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.core.classification import classify
from vigie.core.fields import BlindIndexField, EncryptedTextField
from vigie.core.models import Organisation


class Watchlist(models.Model):
    """A list that is loaded again and again: UN Consolidated List, OFAC SDN, a debarment list."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id code title source created_at",
    )

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=10)  # un, ofac, ftm, csv
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class ListVersion(models.Model):
    """One load of a watchlist file, with what it added, removed and amended."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary=(
            "id watchlist number status file_name file_sha256 published loaded_at "
            "loaded_by entry_count name_count added removed amended"
        ),
    )

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        SUPERSEDED = "superseded", _("Superseded")

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    published = models.CharField(max_length=60, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entry_count = models.PositiveIntegerField(default=0)
    name_count = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    amended = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["watchlist__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["watchlist", "number"], name="screening_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.watchlist.code} v{self.number}"


class ListEntry(models.Model):
    """A listed person or organisation, in its latest state; ``data`` keeps every field
    (names with kind and quality, birth dates and places, nationalities, documents, addresses,
    programmes, comments). Public list data, not victims' data: stored in clear."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary=(
            "id watchlist reference schema caption data fingerprint listed_on "
            "regime is_active first_version changed_in removed_in "
            "designation measures birth_dates nationalities narrative"
        ),
    )

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="entries")
    reference = models.CharField(max_length=120)
    schema = models.CharField(max_length=20)
    caption = models.CharField(max_length=500)
    data = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    listed_on = models.CharField(max_length=20, blank=True)
    regime = models.CharField(max_length=300, blank=True)
    # What an officer reads to decide, kept apart (parsers.base.details, ADR 0540).
    designation = models.TextField(blank=True)
    measures = models.JSONField(default=list, blank=True)
    birth_dates = models.JSONField(default=list, blank=True)
    nationalities = models.JSONField(default=list, blank=True)
    narrative = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    first_version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="+")
    changed_in = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="+")
    removed_in = models.ForeignKey(
        ListVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["watchlist__code", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist", "reference"], name="screening_entry_unique"
            )
        ]
        indexes = [models.Index(fields=["is_active"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.caption}"


class EntryChange(models.Model):
    """History: what one version did to one entry (``before`` holds the previous data)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id version entry kind fields before",
    )

    class Kind(models.TextChoices):
        ADDED = "added", _("Added")
        REMOVED = "removed", _("Removed")
        AMENDED = "amended", _("Amended")

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="changes")
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    fields = models.JSONField(default=list)
    before = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["entry__reference"]
        indexes = [models.Index(fields=["version", "kind"])]

    def __str__(self) -> str:
        return f"{self.version} {self.kind} {self.entry.reference}"


class Subject(models.Model):
    """A person or organisation an organisation screens again at every list update: a
    supplier, a counterparty, a perpetrator recorded in a case. The name is encrypted."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="name name_index birth_date document",
        sensitive="kind country purpose fingerprint",
        ordinary=(
            "id organisation external_id created_by created_at updated_at last_screened_at batch"
        ),
    )

    class Kind(models.TextChoices):
        PERSON = "Person", _("Person")
        ORGANIZATION = "Organization", _("Organisation")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    name = EncryptedTextField()
    name_index = BlindIndexField(source="name")
    birth_date = EncryptedTextField(blank=True, null=True)  # ISO date or year
    country = models.CharField(max_length=60, blank=True)
    document = EncryptedTextField(blank=True, null=True)
    external_id = models.CharField(max_length=120, blank=True)  # supplier number, case id
    purpose = models.CharField(max_length=30, blank=True)  # supplier, counterparty, perpetrator
    fingerprint = models.CharField(max_length=64, default="")  # HMAC of the matching fields
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_screened_at = models.DateTimeField(null=True, blank=True)
    # The batch screening whose row this subject is (purpose "batch", external_id: the row's
    # identifier); its hits are listed on the batch's results page (ADR 0541).
    batch = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"subject {self.pk}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.organisation.code}


class Hit(models.Model):
    """A potential match between a saved subject and a list entry: an alert until reviewed."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        # the explanation is stored without the subject's name (services.stored_explanation)
        sensitive="explanation score status subject_fingerprint",
        ordinary=(
            "id organisation subject entry raised_by entry_fingerprint created_at updated_at"
        ),
    )

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        CONFIRMED = "confirmed", _("Confirmed match")
        FALSE_POSITIVE = "false_positive", _("False positive")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="hits")
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="hits")
    raised_by = models.ForeignKey(
        ListVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.FloatField()
    explanation = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    subject_fingerprint = models.CharField(max_length=64)
    entry_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "entry"], name="screening_hit_unique")
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"hit {self.pk} ({self.status})"

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.organisation.code}


class Decision(models.Model):
    """A reviewer's decision on a hit, with the reason; kept for ever (audit)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="reason status subject_fingerprint",
        ordinary="id hit organisation decided_by decided_at entry_fingerprint",
    )

    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="decisions")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Hit.Status.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    subject_fingerprint = models.CharField(max_length=64)
    entry_fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"decision {self.pk} {self.status}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.organisation.code}
