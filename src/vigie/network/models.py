"""The stored graph: nodes (people, groups, phones, accounts, places...) and edges, each edge
with its provenance (the record it was read from, its organisation, who recorded it, when).

A node's caption is the value as recorded (a name, a phone number): identity, encrypted. Its
``key`` is an opaque keyed digest (``vigie.network.keys``) so equal values recorded in
different records meet in one node without the value being stored in clear. ADR 1100.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.core.classification import classify
from vigie.core.fields import EncryptedTextField
from vigie.core.models import Organisation


class Node(models.Model):
    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="caption",
        sensitive="role",
        ordinary="id key kind identifying created_at",
    )

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        ORGANISATION = "organisation", _("organisation")
        GROUP = "group", _("armed or terrorist group")
        PHONE = "phone", _("phone number")
        ACCOUNT = "account", _("bank account")
        VEHICLE = "vehicle", _("vehicle")
        DOCUMENT = "document", _("identity document")
        DEVICE = "device", _("device (camera, phone handset)")
        ADDRESS = "address", _("address")
        PLACE = "place", _("place")
        CASE = "case", _("case")
        INCIDENT = "incident", _("incident")
        EVIDENCE = "evidence", _("evidence item")
        LISTED = "listed", _("listed on a watchlist")

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    caption = EncryptedTextField(null=True, blank=True)
    # False for values that identify no one (a case reference, a country, a listed entity):
    # shown to whoever may see a record the node comes from
    identifying = models.BooleanField(default=True)
    role = models.CharField(max_length=20, blank=True, default="")  # victim, perpetrator...
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Edge(models.Model):
    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="kind date",
        ordinary=(
            "id source target organisation record_type record_id record_uuid "
            "recorded_by recorded_at"
        ),
    )

    source = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    date = models.DateField(null=True, blank=True)  # when the link held, for the timeline
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # provenance: the record read (its change event's kind and id), who recorded it and when
    record_type = models.CharField(max_length=40)
    record_id = models.CharField(max_length=64)
    record_uuid = models.CharField(max_length=64, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["record_type", "record_id"], name="network_edge_record"),
            models.Index(fields=["source"], name="network_edge_source"),
            models.Index(fields=["target"], name="network_edge_target"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} -{self.kind}- {self.target_id}"


class Pending(models.Model):
    """Records announced as changed, waiting for the extraction job (one row per event)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        ordinary="id record_type ids uuids noted_at"
    )

    record_type = models.CharField(max_length=40)
    ids = models.JSONField(default=list)  # [[first, last], ...] ranges of primary keys
    uuids = models.JSONField(default=list)  # for deletions: the rows are gone
    noted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"pending {self.record_type}"


class GraphImport(models.Model):
    """One FollowTheMoney file imported into the graph: the record its edges point to."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="file_name",
        ordinary="id uuid organisation sha256 entities edges imported_by imported_at",
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    entities = models.PositiveIntegerField(default=0)
    edges = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"graph import {self.uuid}"


class XrefMatch(models.Model):
    """A node of the graph matching a watchlist entry (cross-referencing, as Aleph's xref)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="score",
        ordinary="id node entry created_at",
    )

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="xref")
    entry = models.ForeignKey("screening.ListEntry", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "entry"], name="network_xref_once")]

    def __str__(self) -> str:
        return f"xref {self.node_id} ~ {self.entry_id}"
