"""Designation dossiers for sanctions panels (resolution 2331 (2016) paras 12-14, S/2017/939
para 77): a person or entity, the facts that meet a regime's designation criteria, their
sources, and the review that turns a draft into a submitted listing proposal.

Every field is classified (vigie.core.classification). The subject's names, identifiers,
dates and the narrative identify a person: they are encrypted and shown to holders of
``dossier.view`` in the dossier's organisation (the record type's identity permission), every
view recorded in the access log. Victims are never stored here: the cases a dossier links to
keep them, behind their own permissions.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.core.classification import classify
from vigie.core.fields import EncryptedJSONField, EncryptedTextField
from vigie.core.models import Organisation

USER = settings.AUTH_USER_MODEL


class Dossier(models.Model):
    """One proposed designation: the subject, the regime and the narrative summary."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity=(
            "primary_name birth_date birth_place title designation address narrative "
            "other_information"
        ),
        sensitive="nationalities gender",
        ordinary=(
            "id uuid organisation reference kind regime regime_version status created_by "
            "created_at updated_at submitted_at"
        ),
    )

    class Kind(models.TextChoices):
        # capitalised: shown alone (form choice, dossier header, export), never mid-sentence
        INDIVIDUAL = "individual", _("Individual")
        ENTITY = "entity", _("Entity")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        UNDER_REVIEW = "under_review", _("under review")
        SUBMITTED = "submitted", _("submitted")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    kind = models.CharField(_("individual or entity"), max_length=10, choices=Kind.choices)
    regime = models.CharField(_("sanctions regime"), max_length=20)
    regime_version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.DRAFT)
    primary_name = EncryptedTextField(_("name"))
    birth_date = EncryptedTextField(_("date of birth (YYYY-MM-DD or YYYY)"), null=True, blank=True)
    birth_place = EncryptedTextField(_("place of birth"), null=True, blank=True)
    title = EncryptedTextField(_("title"), null=True, blank=True)
    designation = EncryptedTextField(_("designation (position held)"), null=True, blank=True)
    address = EncryptedTextField(_("address"), null=True, blank=True)
    narrative = EncryptedTextField(
        _("narrative summary of reasons for listing"), null=True, blank=True
    )
    other_information = EncryptedTextField(_("other information"), null=True, blank=True)
    nationalities = models.JSONField(_("nationalities (ISO 3166)"), default=list, blank=True)
    gender = models.CharField(_("gender"), max_length=10, blank=True, default="")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="dossier_org_status")]

    def __str__(self) -> str:
        return self.reference


class Alias(models.Model):
    """Another name of the subject: an alias (good or low quality) or the name in its
    original script (Arabic, Tigrinya...), as the Consolidated List records them."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="name", ordinary="id dossier kind quality script"
    )

    class Kind(models.TextChoices):
        ALIAS = "alias", _("alias")
        ORIGINAL_SCRIPT = "original_script", _("name in original script")

    class Quality(models.TextChoices):
        GOOD = "good", _("good quality")
        LOW = "low", _("low quality")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="aliases")
    name = EncryptedTextField(_("name"))
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ALIAS)
    quality = models.CharField(max_length=4, choices=Quality.choices, default=Quality.GOOD)
    script = models.CharField(_("script (ISO 15924)"), max_length=4, default="Latn")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.dossier} alias {self.pk}"


class Identifier(models.Model):
    """A document or registration number of the subject."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="number issued note", ordinary="id dossier type country"
    )

    class Type(models.TextChoices):
        PASSPORT = "passport", _("passport")
        NATIONAL_ID = "national_id", _("national identity card")
        MILITARY_ID = "military_id", _("military identity card")
        REGISTRATION = "registration", _("company registration")
        OTHER = "other", _("other")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="identifiers")
    type = models.CharField(max_length=14, choices=Type.choices)
    number = EncryptedTextField(_("number"))
    country = models.CharField(_("issuing country (ISO 3166)"), max_length=2, blank=True)
    issued = EncryptedTextField(_("date of issue"), null=True, blank=True)
    note = EncryptedTextField(_("note"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.dossier} identifier {self.pk}"


class LinkedCase(models.Model):
    """A case the subject appears in, optionally through one of its perpetrator records."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id dossier case perpetrator linked_by linked_at"
    )

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="cases")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    perpetrator = models.ForeignKey(
        "cases.Perpetrator", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "case"], name="dossier_case_once")
        ]

    def __str__(self) -> str:
        return f"{self.dossier} case {self.case_id}"


class Fact(models.Model):
    """A fact about the subject, the criterion it supports and its sources.

    ``sources``: ``[{"kind": "case" | "evidence" | "hit" | "document", "ref": "..."}]`` —
    case uuid, evidence item uuid, screening hit id, or a public document symbol
    (``S/2017/466``). Encrypted with the statement: the pair tells who did what.
    """

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="statement sources",
        sensitive="date_from date_to",
        ordinary="id uuid dossier criterion created_by created_at",
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="facts")
    criterion = models.CharField(_("criterion"), max_length=40)
    statement = EncryptedTextField(_("fact"))
    sources = EncryptedJSONField(_("sources"), default=list)
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.dossier} fact {self.pk}"


class Transition(models.Model):
    """One step of the review workflow, with who took it and why (append-only)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="reason", ordinary="id dossier from_status to_status actor at"
    )

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=14, choices=Dossier.Status.choices)
    to_status = models.CharField(max_length=14, choices=Dossier.Status.choices)
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = EncryptedTextField(_("reason"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.from_status}->{self.to_status}"


class Export(models.Model):
    """One export of a dossier (its access-log entry is the authoritative record; this row
    lists the exports on the dossier page with the digest of the bytes handed out)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id dossier format language with_identities sha256 exported_by exported_at"
    )

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=4)
    language = models.CharField(max_length=2)
    with_identities = models.BooleanField(default=False)
    sha256 = models.CharField(max_length=64)
    exported_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    exported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.dossier} export {self.pk}"
