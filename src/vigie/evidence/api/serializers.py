from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vigie.evidence import selectors
from vigie.evidence.models import AccessApproval, CustodyEntry, Item, UploadSession


class BlobSerializer(serializers.Serializer[Any]):
    sha256 = serializers.CharField()
    sha512 = serializers.CharField()
    size = serializers.IntegerField()
    mime_type = serializers.CharField()
    type_name = serializers.CharField()


class ItemSerializer(serializers.ModelSerializer[Item]):
    """An item; its file name only for a user who may see identities (``context["user"]``;
    ADR 0045), otherwise null with ``identity_withheld``."""

    organisation = serializers.CharField(source="organisation.code")
    original_name = serializers.SerializerMethodField()
    identity_withheld = serializers.SerializerMethodField()
    blob = BlobSerializer()
    source = serializers.SerializerMethodField()  # type: ignore[assignment]
    duplicate_of = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            "uuid",
            "organisation",
            "case_ref",
            "original_name",
            "identity_withheld",
            "blob",
            "collected_at",
            "source",
            "derivation",
            "duplicate_of",
            "sealed",
            "added_at",
            "links",
        ]

    def _shown(self, obj: Item) -> bool:
        user = self.context.get("user")  # no user given: withheld (fail closed)
        return user is not None and selectors.may_see_identity(user, obj)

    def get_original_name(self, obj: Item) -> str | None:
        return obj.original_name if self._shown(obj) else None

    def get_identity_withheld(self, obj: Item) -> bool:
        return not self._shown(obj)

    def get_links(self, obj: Item) -> list[dict[str, Any]]:
        """Links to the case, perpetrators, incidents: kind, reference (UUID), number."""
        return [
            {
                "kind": link.kind,
                "reference": link.reference,
                "id": link.case_id or link.perpetrator_id or link.incident_id,
            }
            for link in obj.links.all()
        ]

    def get_source(self, obj: Item) -> str | None:
        return str(obj.source.uuid) if obj.source else None

    def get_duplicate_of(self, obj: Item) -> str | None:
        # an item linked to another organisation's original before issue 15 does not name it
        first = obj.duplicate_of
        if first is None or first.organisation_id != obj.organisation_id:
            return None
        return str(first.uuid)


class ItemDetailSerializer(ItemSerializer):
    """With the collection record (identifying; reading it is logged)."""

    metadata = serializers.SerializerMethodField()

    class Meta(ItemSerializer.Meta):
        fields = [
            *ItemSerializer.Meta.fields,
            "description",
            "collected_by",
            "place",
            "consent",
            "metadata",
        ]

    def get_metadata(self, obj: Item) -> dict[str, Any]:
        meta = getattr(obj.blob, "metadata", None)
        if meta is None:
            return {}
        data = meta.data if self._shown(obj) else {}  # EXIF GPS, serials, authors: identity
        return {"extractor": meta.extractor, "data": data, "problems": meta.problems}

    def to_representation(self, instance: Item) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        if not self._shown(instance):
            for name in ("description", "collected_by", "place", "consent"):
                data[name] = None
        return data


class CaseLinksSerializer(serializers.Serializer[Any]):
    """The case's perpetrators and incidents a new item is linked to (adding or uploading)."""

    perpetrators = serializers.ListField(
        child=serializers.CharField(max_length=36),
        required=False,
        default=list,
        help_text="perpetrators of the case to link (number or UUID)",
    )
    incidents = serializers.ListField(
        child=serializers.CharField(max_length=36),
        required=False,
        default=list,
        help_text="incidents of the case to link (number or UUID)",
    )


class ItemCreateSerializer(CaseLinksSerializer):
    file = serializers.FileField()
    case_ref = serializers.CharField(max_length=100, help_text="reference of a case record")
    external_case = serializers.BooleanField(
        required=False,
        default=False,
        help_text="case_ref is a reference outside Vigie: keep it, link no case record",
    )
    organisation = serializers.CharField(required=False, help_text="organisation code")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    collected_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    collected_by = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(required=False, allow_blank=True, default="")
    consent = serializers.CharField(required=False, allow_blank=True, default="")
    derived_from = serializers.UUIDField(required=False, allow_null=True, default=None)
    derivation = serializers.ChoiceField(
        choices=Item.Derivation.choices, required=False, allow_blank=True, default=""
    )


class CustodyEntrySerializer(serializers.ModelSerializer[CustodyEntry]):
    leaf = serializers.SerializerMethodField()
    proof = serializers.SerializerMethodField()

    class Meta:
        model = CustodyEntry
        fields = [
            "seq",
            "at",
            "event",
            "actor_name",
            "organisation_code",
            "detail",
            "leaf",
            "leaf_hash",
            "proof",
        ]

    def get_leaf(self, obj: CustodyEntry) -> str:
        return obj.leaf_data().decode("utf-8")

    def get_proof(self, obj: CustodyEntry) -> list[str]:
        proofs: dict[int, list[str]] = self.context.get("proofs", {})
        return proofs.get(obj.seq, [])


class TreeHeadSerializer(serializers.Serializer[Any]):
    tree_size = serializers.IntegerField()
    root_hash = serializers.CharField()
    timestamp = serializers.IntegerField()
    log_id = serializers.CharField()
    signature = serializers.CharField()
    tsa_url = serializers.CharField()
    tsa_token = serializers.CharField()


class CustodySerializer(serializers.Serializer[Any]):
    tree_head = TreeHeadSerializer(allow_null=True)
    entries = CustodyEntrySerializer(many=True)


class LogSerializer(serializers.Serializer[Any]):
    tree_head = TreeHeadSerializer(allow_null=True)
    public_key = serializers.CharField()
    log_id = serializers.CharField()


class ConsistencySerializer(serializers.Serializer[Any]):
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    first_root = serializers.CharField()
    second_root = serializers.CharField()
    proof = serializers.ListField(child=serializers.CharField())


class VerificationSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class TransferSerializer(serializers.Serializer[Any]):
    organisation = serializers.SlugField(help_text="code of the receiving organisation")
    reason = serializers.CharField(max_length=2000)


class ApprovalSerializer(serializers.ModelSerializer[AccessApproval]):
    item = serializers.UUIDField(source="item.uuid")
    requested_by = serializers.CharField(source="requested_by.username")
    approved_by = serializers.CharField(source="approved_by.username", default=None)

    class Meta:
        model = AccessApproval
        fields = [
            "id",
            "item",
            "requested_by",
            "reason",
            "requested_at",
            "approved_by",
            "approved_at",
            "expires_at",
        ]


class UploadCreateSerializer(CaseLinksSerializer):
    filename = serializers.CharField(max_length=255)
    size = serializers.IntegerField(min_value=0)
    case_ref = serializers.CharField(max_length=100, help_text="reference of a case record")
    external_case = serializers.BooleanField(
        required=False,
        default=False,
        help_text="case_ref is a reference outside Vigie: keep it, link no case record",
    )
    organisation = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    collected_at = serializers.CharField(required=False, allow_blank=True, default="")
    collected_by = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(required=False, allow_blank=True, default="")
    consent = serializers.CharField(required=False, allow_blank=True, default="")


class UploadSerializer(serializers.ModelSerializer[UploadSession]):
    item = serializers.UUIDField(source="item.uuid", allow_null=True, default=None)

    class Meta:
        model = UploadSession
        fields = ["uuid", "filename", "size", "received", "item", "created_at"]


class ExportStartedSerializer(serializers.Serializer[Any]):
    """The answer to an export request: the background job and where to follow it."""

    id = serializers.UUIDField()
    status = serializers.CharField()
    status_url = serializers.CharField()
    download_url = serializers.CharField()
