"""Suppliers with their owners and directors, products and contracts; the procurement
queue (alerts raised by a watchlist version) with the reviewers' decisions; due-diligence
questionnaires sent through a signed link, with their answers and attachments."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.core.classification import classify
from vigie.core.fields import BlindIndexField, EncryptedTextField
from vigie.core.models import Organisation


class Supplier(models.Model):
    """A firm an organisation buys from (UNGM-style registration). Firms' names and
    registration numbers are business-register data, not persons' identities; the people
    behind them (owners, directors) are in :class:`Party`, encrypted."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="address contact_email risk_score risk_detail status",
        ordinary=(
            "id organisation reference name identifiers country sourcing_countries "
            "subject created_by created_at updated_at risk_updated_at"
        ),
    )

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVIEW = "review", _("Waiting for review")
        BLOCKED = "blocked", _("Blocked")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=60)
    name = models.CharField(max_length=300)
    identifiers = models.JSONField(default=dict, blank=True)  # {"registration": ..., "ungm": ...}
    country = models.CharField(max_length=2, blank=True)  # ISO 3166 alpha-2 (M49 names shown)
    address = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)  # where questionnaire links are sent
    sourcing_countries = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    risk_score = models.PositiveSmallIntegerField(default=0)
    risk_detail = models.JSONField(default=list, blank=True)  # every point with its source
    risk_updated_at = models.DateTimeField(null=True, blank=True)
    subject = models.ForeignKey(
        "screening.Subject", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="suppliers_reference_unique"
            )
        ]
        # covering indexes of the dashboard's aggregates (bench/suppliers_dashboard.py)
        indexes = [
            models.Index(fields=["organisation", "-risk_score", "reference"]),
            models.Index(fields=["organisation", "country", "risk_score"]),
            models.Index(fields=["organisation", "status", "risk_score"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class Party(models.Model):
    """A beneficial owner or a director of a supplier: a person (or a holding firm)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="name name_index birth_date",
        sensitive="nationality share",
        ordinary="id supplier role kind subject created_at",
    )

    class Role(models.TextChoices):
        OWNER = "owner", _("Beneficial owner")
        DIRECTOR = "director", _("Director")

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=10, choices=Role.choices)
    kind = models.CharField(max_length=20, default="Person")  # Person or Organization
    name = EncryptedTextField()
    name_index = BlindIndexField(source="name")
    birth_date = EncryptedTextField(blank=True, null=True)
    nationality = models.CharField(max_length=2, blank=True)
    share = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    subject = models.ForeignKey(
        "screening.Subject", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["supplier", "role", "pk"]

    def __str__(self) -> str:
        return f"{self.role} {self.pk} of {self.supplier_id}"


class Product(models.Model):
    """A good or service a supplier sells, where it is sourced, and the DOL good it is."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id supplier description unspsc good country",
    )

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="products")
    description = models.CharField(max_length=300)
    unspsc = models.CharField(max_length=8, blank=True)
    good = models.CharField(max_length=80, blank=True)  # DOL list good, lower case
    country = models.CharField(max_length=2, blank=True)  # sourcing country

    class Meta:
        ordering = ["supplier", "pk"]
        indexes = [models.Index(fields=["good", "supplier"])]

    def __str__(self) -> str:
        return self.description


class Contract(models.Model):
    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="value",
        ordinary="id supplier reference title currency starts ends",
    )

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contracts")
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=300, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    starts = models.DateField(null=True, blank=True)
    ends = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["supplier", "reference"]

    def __str__(self) -> str:
        return self.reference


class Alert(models.Model):
    """One item of the procurement officer's queue: a hit of a supplier or of one of its
    parties that a watchlist version made new, changed or removed."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="explanation score status",
        ordinary=(
            "id organisation supplier party hit version change watchlist entry_reference "
            "entry_caption created_at"
        ),
    )

    class Change(models.TextChoices):
        NEW = "new", _("New hit")
        CHANGED = "changed", _("Listed entry changed")
        REMOVED = "removed", _("Listed entry removed")

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        CLEARED = "clear", _("Cleared")
        BLOCKED = "block", _("Blocked")
        ESCALATED = "escalate", _("Escalated")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="alerts")
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    hit = models.ForeignKey(
        "screening.Hit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.ForeignKey(
        "screening.ListVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    change = models.CharField(max_length=10, choices=Change.choices)
    watchlist = models.CharField(max_length=60)
    entry_reference = models.CharField(max_length=120)
    entry_caption = models.CharField(max_length=500)  # public list data
    score = models.FloatField(default=0)
    explanation = models.JSONField(default=dict)  # without the subject's name
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.change}, {self.status})"


class Review(models.Model):
    """A decision on an alert (clear, block, escalate) with its reason and reviewer; kept
    for ever, whatever later list versions do."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="reason decision",
        ordinary="id organisation alert supplier reviewer decided_at entry_reference",
    )

    class Decision(models.TextChoices):
        CLEAR = "clear", _("Clear")
        BLOCK = "block", _("Block the supplier")
        ESCALATE = "escalate", _("Escalate")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="reviews")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    entry_reference = models.CharField(max_length=120)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"review {self.pk} ({self.decision})"


class Invitation(models.Model):
    """A due-diligence questionnaire sent to a supplier: answered through a signed link
    that expires and works until the answers are submitted, once."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="answers statement score",
        ordinary=(
            "id organisation supplier questionnaire version language nonce status "
            "created_by created_at expires_at submitted_at reminded_at statement_year"
        ),
    )

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="invitations")
    questionnaire = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    language = models.CharField(max_length=5, default="en")
    nonce = models.CharField(max_length=64, unique=True)  # in the signed token; one link each
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    answers = models.JSONField(default=dict, blank=True)
    statement = models.TextField(blank=True)  # the annual anti-trafficking statement
    statement_year = models.PositiveIntegerField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "status", "expires_at"])]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.status})"


class Attachment(models.Model):
    """A document a supplier attached to its answers: the file is in the evidence vault."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id invitation item_uuid sha256 name size created_at",
    )

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="files")
    item_uuid = models.UUIDField()
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class DashboardEpoch(models.Model):
    """A counter per organisation, raised after every change of its suppliers' records: the
    dashboard's aggregates are cached under the counters they were computed at, so every web
    process sees a change at its next request (selectors.dashboard)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(ordinary="organisation epoch")

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    epoch = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organisation_id}@{self.epoch}"
