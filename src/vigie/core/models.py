"""Organisations, users, memberships and sharing, API tokens, and the hash-chained access log."""

from __future__ import annotations

import hmac
import json
import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.core import jobfiles
from vigie.core.classification import ORDINARY, classify
from vigie.core.roles import catalogue


class Organisation(models.Model):
    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id code name kind country is_active created_at",
    )

    class Kind(models.TextChoices):
        UN_ENTITY = "un_entity", _("UN entity")
        MEMBER_STATE = "member_state", _("Member state authority")
        FIU = "fiu", _("Financial intelligence unit")
        HUMANITARIAN = "humanitarian", _("Humanitarian agency")
        NGO = "ngo", _("Non-governmental organisation")
        PRIVATE = "private", _("Private sector")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(_("country (ISO 3166)"), max_length=2, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.code}


class User(AbstractUser):
    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="password first_name last_name email",
        ordinary=(
            "id last_login is_superuser username is_staff is_active date_joined preferred_language"
        ),
    )

    preferred_language = models.CharField(_("preferred language"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Membership(models.Model):
    """A user holds a role in an organisation; a user may hold several roles."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id user organisation role created_at",
    )

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="uniq_membership")
        ]
        ordering = ["organisation__code", "user__username", "role"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation.code}: {self.role}"

    @property
    def role_label(self) -> str:
        return catalogue().role(self.role).label

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.organisation.code}


class OrganisationShare(models.Model):
    """An organisation lets a partner read its records of one kind (explicit, revocable)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary=("id owner partner scope include_identities created_by created_at revoked_at"),
    )

    class Scope(models.TextChoices):
        CASES = "case", _("Case records")
        EVIDENCE = "evidence", _("Evidence")
        NETWORK = "network", _("Network investigation")
        FINANCE = "finance", _("Financial analysis")

    owner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shares_given")
    partner = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="shares_received"
    )
    scope = models.CharField(_("what is shared"), max_length=20, choices=Scope.choices)
    include_identities = models.BooleanField(
        _("include victims' identities"),
        default=False,
        help_text=_("Only where victims consented to sharing their identity."),
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["owner__code", "partner__code", "scope"]

    def __str__(self) -> str:
        return f"{self.owner.code} → {self.partner.code}: {self.scope}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.owner.code}


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 of the secret is stored.

    Every token expires (``expires_at`` is always set; a row without it is unusable), is
    read-only or read-write (``access``), may be narrowed to a subset of its owner's
    permissions (``permissions``, empty for all of them), and is revoked when its owner's
    password changes or the account is deactivated (ADR 0040).
    """

    class Access(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="digest",
        ordinary="id user name prefix access permissions created_at expires_at last_used_at "
        "revoked_at revoked_reason",
    )

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    access = models.CharField(
        _("access"), max_length=5, choices=Access.choices, default=Access.READ
    )
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def is_read_only(self) -> bool:
        return self.access != self.Access.WRITE

    def get_additional_data(self) -> dict[str, Any]:
        return {"user": self.user.username}


class PendingGrant(models.Model):
    """A role that sees identities, asked for by one administrator and waiting for another.

    Granting such a role takes two people (ADR 0041): the request is stored here and becomes
    a :class:`Membership` only when a different authorised user approves it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="pending_grants"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pending_grants")
    role = models.CharField(_("role"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY,
        "organisation": ORDINARY,
        "user": ORDINARY,
        "role": ORDINARY,
        "status": ORDINARY,
        "requested_by": ORDINARY,
        "requested_at": ORDINARY,
        "decided_by": ORDINARY,
        "decided_at": ORDINARY,
    }

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=models.Q(status="pending"),
                name="uniq_pending_grant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation.code}: {self.role} ({self.status})"

    @property
    def role_label(self) -> str:
        return catalogue().role(self.role).label

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.organisation.code}


class AccessLogHead(models.Model):
    """Single row holding the chain's last sequence number and hash.

    Appending locks it, which serialises writers; verification compares the chain's end to it,
    so that deleting the newest entries is detected too.
    """

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id last_seq last_hash",
    )

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head at #{self.last_seq}"


class AccessLogEntry(models.Model):
    """Append-only record of a read or export of identifying data; each entry hashes the last."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="ip detail",
        ordinary=(
            "id seq at actor actor_username organisation_code action object_type "
            "object_id fields request_id prev_hash entry_hash key_id"
        ),
    )

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_username = models.CharField(max_length=150)
    organisation_code = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=30)  # view, export, download, ...
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list)
    detail = models.JSONField(default=dict)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # the audit key the MAC is made with (vigie.core.audit.key_id); empty before key ids
    # existed, meaning the oldest key of the keyring (docs/adr/0044)
    key_id = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_username"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.seq} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("access log entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("access log entries are append-only")

    def payload(self) -> dict[str, Any]:
        return access_payload(self)

    def compute_hash(self, key: bytes) -> str:
        """HMAC-SHA256 under the audit key (kept outside the data directory) of the previous
        hash and this entry: whoever can write the database but lacks the key cannot forge
        a chain that verifies (docs/adr/0030-anchored-tamper-evidence.md)."""
        return access_mac(key, self.prev_hash, self.payload())


def access_payload(entry: Any) -> dict[str, Any]:
    """The fields an access-log entry's MAC covers (plain attributes: migrations use it).
    The key id is covered from the first entry that has one (entries before keep their
    MAC)."""
    payload = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor_username,
        "organisation": entry.organisation_code,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "fields": list(entry.fields),
        "detail": entry.detail,
        "request_id": entry.request_id,
        "ip": entry.ip,
    }
    key_id = getattr(entry, "key_id", "")
    if key_id:
        payload["key_id"] = key_id
    return payload


def access_mac(key: bytes, prev_hash: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.digest(key, f"{prev_hash}\n{canonical}".encode(), "sha256").hex()


class KeyRotation(models.Model):
    """Progress of one `vigie keys rotate` run, so an interrupted run resumes where it stopped."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id new_key_id started_at finished_at progress rewritten",
    )

    new_key_id = models.CharField(max_length=20)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.JSONField(default=dict)  # "app_label.Model" -> last primary key done
    rewritten = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"rotation to {self.new_key_id} started {self.started_at:%Y-%m-%d %H:%M}"


class Job(models.Model):
    """A unit of background work (an import, a batch screening, an export) and its progress."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="params result message error",
        ordinary=(
            "id kind organisation created_by status total done cancel_requested "
            "attempts created_at started_at heartbeat_at finished_at"
        ),
    )

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=60)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="jobs")
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    total = models.BigIntegerField(null=True, blank=True)
    done = models.BigIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Job:
        # every reader of a running job (pages, API, CLI, recovery) sees the progress its
        # handler reports through a file while a transaction hides the row (core.jobfiles)
        job = super().from_db(db, field_names, values)
        if job.__dict__.get("status") == cls.Status.RUNNING and "done" in job.__dict__:
            jobfiles.overlay(job)
        return job

    @property
    def kind_label(self) -> str:
        from vigie.core.jobs import kind_label

        return kind_label(self.kind)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED}
