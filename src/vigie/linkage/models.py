"""Linkage results: persons (clusters of records), scored candidate pairs, reviewers'
decisions, runs, noted work and uploaded Bloom-filter encodings.

No table here holds an identity in clear or in a derived form: pairs and memberships name
records by primary key, and the comparison levels say "same year" or "same consonants",
never the value compared (ADR 1000). Encodings are Bloom filters under a secret the
linkage unit does not hold (ADR 1001).
"""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.core.classification import classify
from vigie.core.models import Organisation


class Kind(models.TextChoices):
    VICTIM = "victim", _("victim")
    PERPETRATOR = "perpetrator", _("perpetrator")


def _person_code() -> str:
    return "P-" + secrets.token_hex(5).upper()


class Run(models.Model):
    """One full or incremental linkage: the model it used (m and u), its threshold, counts."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="model",
        ordinary=(
            "id uuid kind mode threshold records pairs persons seconds started_by "
            "organisation created_at"
        ),
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    mode = models.CharField(max_length=12, default="full")  # full | incremental
    threshold = models.FloatField(default=0.8)
    model = models.JSONField(default=dict, blank=True)  # Splink settings with m and u
    records = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    persons = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.mode} run {self.pk}"


class Person(models.Model):
    """A cluster of records taken to be one person; its code survives reruns (ADR 1000)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id code kind created_at retired_at"
    )

    code = models.CharField(max_length=16, unique=True, default=_person_code)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.code


class Membership(models.Model):
    """A record (victim or perpetrator, by primary key) in a person."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id person kind record_id organisation case_id"
    )

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    record_id = models.BigIntegerField()
    case_id = models.BigIntegerField()
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id"], name="linkage_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}"


class Candidate(models.Model):
    """A scored pair of records (left_id < right_id), kept above a low floor."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="levels",
        ordinary=(
            "id kind left_id right_id left_case_id right_case_id left_org right_org "
            "probability run updated_at"
        ),
    )

    kind = models.CharField(max_length=12, choices=Kind.choices)
    left_id = models.BigIntegerField()
    right_id = models.BigIntegerField()
    left_case_id = models.BigIntegerField()
    right_case_id = models.BigIntegerField()
    left_org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    right_org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    levels = models.JSONField(default=dict, blank=True)  # comparison -> level label, no values
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "left_id", "right_id"], name="linkage_candidate_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "-probability"], name="linkage_cand_prob")]

    def __str__(self) -> str:
        return f"{self.kind} {self.left_id}-{self.right_id}"


class Decision(models.Model):
    """A reviewer's word on a pair: kept, and applied on every rerun before clustering."""

    class Verdict(models.TextChoices):
        MATCH = "match", _("same person")
        NON_MATCH = "non_match", _("not the same person")

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="reason",
        ordinary="id kind left_id right_id verdict reviewer created_at",
    )

    kind = models.CharField(max_length=12, choices=Kind.choices)
    left_id = models.BigIntegerField()
    right_id = models.BigIntegerField()
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    reason = models.CharField(_("reason (no names)"), max_length=500)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "left_id", "right_id"], name="linkage_decision_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.verdict} {self.left_id}-{self.right_id}"


class Pending(models.Model):
    """A case changed since the last run, its records linked by the next incremental job."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(ordinary="id case_id created_at")

    case_id = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"case {self.case_id}"


class Encoding(models.Model):
    """One organisation's upload of Bloom-filter encodings (CLKs), keyed by its own record
    keys. The linkage unit matches uploads; it never sees the secret (ADR 1001)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="clks",
        ordinary="id uuid organisation linkage_schema count uploaded_by created_at",
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    linkage_schema = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)
    clks = models.JSONField(default=dict)  # record key -> base64 Bloom filter
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"encoding {self.uuid}"


class FeatureSnapshot(models.Model):
    """The comparison columns of every linked record of a kind, kept encrypted (AES-GCM
    under the field key, the kind bound as associated data) so that an incremental run
    reads from the database only the changed cases' records (ADR 1040). Rebuilt by every
    full run, extended by every incremental one; used only with the model it was built
    for (``run``)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="data", ordinary="id kind run key_id records updated_at"
    )

    kind = models.CharField(max_length=12, choices=Kind.choices, unique=True)
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="+")
    key_id = models.CharField(max_length=32)
    data = models.BinaryField()  # nonce || AES-GCM(Parquet of the comparison columns)
    records = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.kind} features ({self.records} records)"
