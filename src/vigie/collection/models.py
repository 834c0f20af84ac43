"""Field collection: XLSForm forms and their versions, where they are published, the devices
that submit, and the submissions waiting for review (ADR 0900).

A submission's XML, answers and attachments may name a victim: they are IDENTITY and stored
encrypted. Form definitions are questionnaires, not data about people: ORDINARY.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.core.classification import IDENTITY, ORDINARY
from vigie.core.fields import EncryptedTextField
from vigie.core.models import Organisation


class Form(models.Model):
    """One XLSForm of one owning organisation, identified by its ``form_id`` across all its
    versions. Form ids are unique per owner only: a global rule made "this id is taken" an
    oracle on what other organisations collect (ADR 0053)."""

    form_id = models.CharField(_("form id"), max_length=120)
    title = models.CharField(_("title"), max_length=255)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "form_id": ORDINARY,
        "title": ORDINARY,
        "owner": ORDINARY,
        "created_at": ORDINARY,
    }

    class Meta:
        ordering = ["title", "form_id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "form_id"], name="collection_form_owner_id")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.form_id})"


class FormVersion(models.Model):
    """A version of a form; publishing a new version keeps the old ones (and their data)."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=120)
    xform = models.TextField()
    md5 = models.CharField(max_length=32)
    xlsform_name = models.CharField(max_length=255, blank=True, default="")
    xlsform_sha256 = models.CharField(max_length=64, blank=True, default="")
    # question path -> {"label", "type", "choices": {name: label}} read from the XForm
    questions = models.JSONField(default=dict)
    warnings = models.JSONField(default=list)
    # ODK managed encryption: the RSA private key (PEM) whose public half is in the XForm
    private_key = EncryptedTextField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "form": ORDINARY,
        "version": ORDINARY,
        "xform": ORDINARY,
        "md5": ORDINARY,
        "xlsform_name": ORDINARY,
        "xlsform_sha256": ORDINARY,
        "questions": ORDINARY,
        "warnings": ORDINARY,
        "private_key": IDENTITY,
        "created_by": ORDINARY,
        "created_at": ORDINARY,
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="collection_form_version")
        ]

    def __str__(self) -> str:
        return f"{self.form.form_id} {self.version}"

    @property
    def is_encrypted(self) -> bool:
        return bool(self.private_key)


class FieldTeam(models.Model):
    """A named group of devices of one organisation; a form may be published to some teams
    only (devices of other teams do not see it)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "organisation": ORDINARY,
        "name": ORDINARY,
        "created_at": ORDINARY,
    }

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="collection_team_name")
        ]

    def __str__(self) -> str:
        return self.name


class Publication(models.Model):
    """A form offered to the devices of one organisation, at one (the current) version."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="publications")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    # the form's ``form_id``, copied so that the database keeps one form per id in an
    # organisation: devices (and every OpenRosa route) name a form by this id alone
    form_key = models.CharField(max_length=120)
    is_open = models.BooleanField(default=True)
    published_at = models.DateTimeField(auto_now=True)
    # only these field teams' devices see the form (none: every device of the organisation)
    teams = models.ManyToManyField(FieldTeam, blank=True, related_name="publications")
    # the organisation's saved mapping profile for this form (else the built-in file)
    mapping_profile = models.ForeignKey(
        "cases.MappingProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "form": ORDINARY,
        "organisation": ORDINARY,
        "version": ORDINARY,
        "form_key": ORDINARY,
        "is_open": ORDINARY,
        "published_at": ORDINARY,
        "mapping_profile": ORDINARY,
        # "teams" is a many-to-many relation (its own table), not a field of this row
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["form", "organisation"], name="collection_publication_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation", "form_key"], name="collection_publication_form_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} -> {self.organisation_id}"


class Device(models.Model):
    """Credentials an administrator issued to one phone or team (HTTP Basic at /collect/)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        FieldTeam, null=True, blank=True, on_delete=models.PROTECT, related_name="devices"
    )
    label = models.CharField(_("label"), max_length=120)
    username = models.CharField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # HTTP Digest: {"SHA-256": H(user:realm:secret), "MD5": ...} (a password equivalent)
    digest_ha1 = EncryptedTextField(null=True, blank=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "organisation": ORDINARY,
        "team": ORDINARY,
        "label": ORDINARY,
        "username": ORDINARY,
        "secret_hash": ORDINARY,
        "created_by": ORDINARY,
        "created_at": ORDINARY,
        "revoked_at": ORDINARY,
        "last_seen_at": ORDINARY,
        "digest_ha1": IDENTITY,
    }

    class Meta:
        ordering = ["label", "id"]

    def __str__(self) -> str:
        return self.label


class DigestNonce(models.Model):
    """A Digest nonce a device has used, with the highest nonce count seen (replays of a
    count are refused); rows are deleted once the nonce has expired."""

    nonce = models.CharField(max_length=80, unique=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    last_nc = models.PositiveBigIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "nonce": ORDINARY,
        "device": ORDINARY,
        "last_nc": ORDINARY,
        "expires_at": ORDINARY,
    }

    def __str__(self) -> str:
        return self.nonce


class Submission(models.Model):
    """One received instance of a form: a draft until a reviewer accepts or rejects it."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Replaced by an edited version")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(
        Device, null=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    instance_id = models.CharField(max_length=120)
    deprecated_id = models.CharField(max_length=120, blank=True, default="")
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    xml = EncryptedTextField()
    answers = EncryptedTextField()  # JSON: [[path, value], ...] in document order
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    reject_reason = EncryptedTextField(null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # accepted into an existing case: the case fields filled, kept and replaced (names only)
    merge_report = models.JSONField(default=dict, blank=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "uuid": ORDINARY,
        "merge_report": ORDINARY,
        "organisation": ORDINARY,
        "form_version": ORDINARY,
        "device": ORDINARY,
        "instance_id": ORDINARY,
        "deprecated_id": ORDINARY,
        "replaces": ORDINARY,
        "xml": IDENTITY,
        "answers": IDENTITY,
        "size": ORDINARY,
        "status": ORDINARY,
        "reject_reason": IDENTITY,
        "case": ORDINARY,
        "received_at": ORDINARY,
        "reviewed_by": ORDINARY,
        "reviewed_at": ORDINARY,
    }

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "instance_id"], name="collection_instance_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.uuid)


class Attachment(models.Model):
    """A file sent with a submission (photo, audio), hashed at receipt, stored encrypted until
    the submission is accepted and the file moves to the evidence vault."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    name = EncryptedTextField()  # a file name can name a person ("amina-passport.jpg")
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = EncryptedTextField(null=True, blank=True)  # base64; emptied once in the vault
    evidence_item = models.UUIDField(null=True, blank=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "submission": ORDINARY,
        "name": IDENTITY,
        "content_type": ORDINARY,
        "size": ORDINARY,
        "sha256": ORDINARY,
        "content": IDENTITY,
        "evidence_item": ORDINARY,
    }

    def __str__(self) -> str:
        return self.name
