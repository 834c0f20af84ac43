"""Evidence items, their stored bytes, technical metadata, and the custody log.

``Blob`` is one stored object (content-addressed by SHA-256); several ``Item`` rows may point
to the same blob (duplicates are linked, not stored twice). ``CustodyEntry`` rows are the
leaves of the Merkle-tree log; ``LogState`` is its compact right edge; ``SignedTreeHead`` rows
are the signed roots.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.core.classification import classify
from vigie.core.fields import EncryptedJSONField, EncryptedTextField
from vigie.core.models import Organisation
from vigie.evidence import merkle


class Blob(models.Model):
    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id sha256 sha512 size key_id mime_type type_name extension stored_at",
    )

    sha256 = models.CharField(max_length=64, unique=True)
    sha512 = models.CharField(max_length=128)
    size = models.BigIntegerField()
    key_id = models.CharField(max_length=32)
    mime_type = models.CharField(_("detected type"), max_length=120, blank=True)
    type_name = models.CharField(max_length=200, blank=True)
    extension = models.CharField(max_length=20, blank=True)
    stored_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class TechnicalMetadata(models.Model):
    """What the bytes say about themselves (EXIF, PDF properties), kept apart from them."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="data",
        sensitive="problems",
        ordinary="id blob extractor",
    )

    blob = models.OneToOneField(Blob, on_delete=models.CASCADE, related_name="metadata")
    extractor = models.CharField(max_length=100)
    # EXIF and document properties (GPS position, device serial, author...): identity,
    # encrypted, shown only with victim.identity.view (docs/adr/0045)
    data = EncryptedJSONField(null=True, blank=True, default=dict)
    problems = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"metadata of {self.blob_id}"


class Item(models.Model):
    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="description collected_by place consent original_name",
        sensitive="collected_at",
        ordinary=(
            "id uuid organisation case_ref blob source derivation duplicate_of "
            "sealed sealed_at sealed_by added_by added_at"
        ),
    )

    class Derivation(models.TextChoices):
        NONE = "", _("original")
        REDACTED = "redacted", _("redacted copy")
        TRANSCRIPT = "transcript", _("transcript")
        TRANSLATION = "translation", _("translation")
        CONVERSION = "conversion", _("format conversion")
        OTHER = "other", _("other derivation")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The case's reference as given at collection (bound into the custody log); the link to
    # the cases.Case record itself is the ItemLink of kind "case" (``ItemLink.case``).
    case_ref = models.CharField(_("case"), max_length=100, db_index=True)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="items")
    # a file name can name a person or a place ("statement_Nadia_Mosul.jpg"): identity,
    # encrypted, shown only with victim.identity.view (docs/adr/0045)
    original_name = EncryptedTextField(_("file name"), null=True)
    description = EncryptedTextField(_("description"), null=True, blank=True)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    collected_by = EncryptedTextField(_("collected by"), null=True, blank=True)
    place = EncryptedTextField(_("place"), null=True, blank=True)
    consent = EncryptedTextField(_("consent"), null=True, blank=True)
    source = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="derived_items"
    )
    derivation = models.CharField(max_length=20, choices=Derivation.choices, blank=True, default="")
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    sealed = models.BooleanField(_("sealed"), default=False)
    sealed_at = models.DateTimeField(null=True, blank=True)
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")

    def __str__(self) -> str:
        return f"evidence item {self.uuid}"  # no file name: identity (change log's repr)

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.organisation.code}

    def record(self) -> dict[str, Any]:
        """The collection record as it is bound into the custody log (as a digest)."""
        return {
            "case": self.case_ref,
            "description": self.description or "",
            "collected_at": self.collected_at.isoformat() if self.collected_at else "",
            "collected_by": self.collected_by or "",
            "place": self.place or "",
            "consent": self.consent or "",
            "name": self.original_name,
        }


def record_digest(record: dict[str, Any]) -> str:
    """SHA-256 of the collection record (``Item.record()``) in canonical JSON."""
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(canonical).hexdigest()


def first_custody(
    record: dict[str, Any],
    *,
    sha512: str,
    size: int,
    mime_type: str,
    duplicate_of: str,
    source: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The details of an item's first two custody entries, "collected" and "received": the
    one definition both writers use (services.add_item one by one, batch.ingest_many by the
    thousand). The record (``Item.record()``) is bound by its digest, so the file's name,
    an identity, is never in the log in clear (ADR 0045)."""
    collected = {"collected_at": record["collected_at"], "record_sha256": record_digest(record)}
    received = {
        "sha512": sha512,
        "size": size,
        "type": mime_type,
        "duplicate_of": duplicate_of,
        "source": source,
    }
    return collected, received


class ItemLink(models.Model):
    """An item points to a case, perpetrator, incident or sanctions dossier.

    ``reference`` is the reference as given; ``case`` (and ``perpetrator``, ``incident``) point
    to the cases records when the reference names one. They stay empty for an external
    reference (``--external-case``) and are set to NULL if the record is deleted, so the
    reference, which is bound into the custody log, is never lost.
    """

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id item kind reference case perpetrator incident",
    )

    class Kind(models.TextChoices):
        CASE = "case", _("case")
        PERPETRATOR = "perpetrator", _("perpetrator")
        INCIDENT = "incident", _("incident")
        DOSSIER = "dossier", _("sanctions dossier")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reference = models.CharField(max_length=100, db_index=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    perpetrator = models.ForeignKey(
        "cases.Perpetrator", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    incident = models.ForeignKey(
        "cases.Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "kind", "reference"], name="evidence_link_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.reference}"


class CustodyEntry(models.Model):
    """One leaf of the custody log. Never updated, never deleted."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="detail",
        ordinary=(
            "id seq at item item_uuid sha256 event actor actor_name organisation_code leaf_hash"
        ),
    )

    class Event(models.TextChoices):
        COLLECTED = "collected", _("collected")
        RECEIVED = "received", _("received")
        ACCESSED = "accessed", _("accessed")
        VIEWED = "viewed", _("viewed")
        DOWNLOADED = "downloaded", _("downloaded")
        TRANSFERRED = "transferred", _("transferred")
        EXPORTED = "exported", _("exported")
        DERIVED = "derived", _("derived")
        SEALED = "sealed", _("sealed")
        RELEASED = "released", _("released")

    seq = models.BigIntegerField(unique=True)  # leaf index + 1
    at = models.DateTimeField()
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="custody")
    item_uuid = models.CharField(max_length=36)
    sha256 = models.CharField(max_length=64)
    event = models.CharField(max_length=20, choices=Event.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    organisation_code = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict)
    leaf_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event} {self.item_uuid}"

    def leaf_data(self) -> bytes:
        return leaf_bytes(
            seq=self.seq,
            at=self.at.isoformat(timespec="microseconds"),
            item=self.item_uuid,
            sha256=self.sha256,
            event=self.event,
            actor=self.actor_name,
            org=self.organisation_code,
            detail=self.detail,
        )

    def compute_leaf_hash(self) -> str:
        return merkle.leaf_hash(self.leaf_data()).hex()


def leaf_bytes(**fields: Any) -> bytes:
    """The canonical bytes of a custody entry (sorted-key, compact JSON, UTF-8)."""
    return json.dumps({"v": 1, **fields}, sort_keys=True, separators=(",", ":")).encode()


class LogState(models.Model):
    """Single row: log size and its right edge. Appending locks it (one writer at a time)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id size frontier",
    )

    size = models.BigIntegerField(default=0)
    frontier = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"log of {self.size} entries"


class SignedTreeHead(models.Model):
    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id tree_size root_hash timestamp_ms log_id signature tsa_url tsa_token",
    )

    tree_size = models.BigIntegerField()
    root_hash = models.CharField(max_length=64)
    timestamp_ms = models.BigIntegerField()
    log_id = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)
    tsa_url = models.CharField(max_length=300, blank=True)
    tsa_token = models.TextField(blank=True)  # base64 DER RFC 3161 TimeStampResp token

    class Meta:
        ordering = ["-tree_size", "-id"]

    def __str__(self) -> str:
        return f"STH {self.tree_size} {self.root_hash[:12]}"


class AccessApproval(models.Model):
    """Access to a sealed item, asked by one person and approved by another."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="reason",
        ordinary="id item requested_by requested_at approved_by approved_at expires_at",
    )

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="approvals")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField()
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"access to {self.item_id} for {self.requested_by_id}"


class UploadSession(models.Model):
    """A resumable upload: chunks are appended to a partial file until it is complete."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="fields",
        sensitive="filename",
        ordinary="id uuid user organisation size received stored key_id created_at item",
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    size = models.BigIntegerField()
    received = models.BigIntegerField(default=0)  # plaintext bytes arrived
    stored = models.BigIntegerField(default=0)  # bytes of the encrypted partial file
    key_id = models.CharField(max_length=32, blank=True)
    fields = EncryptedTextField(null=True, blank=True)  # JSON of the collection record
    created_at = models.DateTimeField(auto_now_add=True)
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, related_name="+")

    def __str__(self) -> str:
        return f"upload {self.uuid}"
