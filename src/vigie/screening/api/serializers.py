from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vigie.screening import presentation, selectors, services
from vigie.screening.models import Decision, Hit, ListVersion, Subject


class QuerySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    schema = serializers.ChoiceField(
        choices=["Person", "Organization", "person", "organization", ""], required=False
    )
    birth_date = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = serializers.CharField(max_length=60, required=False, allow_blank=True)
    document = serializers.CharField(max_length=60, required=False, allow_blank=True)
    threshold = serializers.FloatField(min_value=0, max_value=1, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False)


class BatchItemSerializer(QuerySerializer):
    id = serializers.CharField(max_length=120, required=False, allow_blank=True)


class BatchSerializer(serializers.Serializer):
    queries = serializers.ListField(child=BatchItemSerializer(), allow_empty=False, max_length=1000)
    threshold = serializers.FloatField(min_value=0, max_value=1, required=False)


class ListingSerializer(serializers.Serializer):
    """The listing's details (public list data; ADR 0540)."""

    designation = serializers.CharField()
    listed_on = serializers.CharField()
    measures = serializers.ListField(child=serializers.CharField())
    birth_dates = serializers.ListField(child=serializers.CharField())
    nationalities = serializers.ListField(child=serializers.CharField())
    narrative = serializers.CharField()


class ResultSerializer(serializers.Serializer):
    entry_id = serializers.IntegerField(allow_null=True)
    watchlist = serializers.CharField()
    reference = serializers.CharField()
    schema = serializers.CharField()
    caption = serializers.CharField()
    regime = serializers.CharField()
    score = serializers.FloatField()
    explanation = serializers.DictField()
    listing = ListingSerializer(required=False, allow_null=True)


class MatchEntitySerializer(serializers.Serializer):
    """One FollowTheMoney-style entity, as yente's /match takes it."""

    schema = serializers.CharField(max_length=40)
    properties = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class MatchRequestSerializer(serializers.Serializer):
    queries = serializers.DictField(child=MatchEntitySerializer())


class VersionSerializer(serializers.ModelSerializer):
    watchlist = serializers.CharField(source="watchlist.code")
    status = serializers.CharField(help_text="active or superseded")

    class Meta:
        model = ListVersion
        fields = [
            "id",
            "watchlist",
            "number",
            "status",
            "file_name",
            "file_sha256",
            "published",
            "loaded_at",
            "entry_count",
            "name_count",
            "added",
            "removed",
            "amended",
        ]


class LoadSerializer(serializers.Serializer):
    file = serializers.FileField()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["", "un", "ofac", "ftm", "csv"], required=False
    )
    code = serializers.SlugField(required=False, allow_blank=True)
    mapping = serializers.JSONField(required=False)


class SubjectSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    open_hits = serializers.SerializerMethodField()

    class Meta:
        model = Subject
        fields = [
            "id",
            "organisation",
            "kind",
            "name",
            "birth_date",
            "country",
            "document",
            "external_id",
            "purpose",
            "created_at",
            "last_screened_at",
            "open_hits",
            "identity_withheld",
        ]
        read_only_fields = ["id", "created_at", "last_screened_at"]

    identity_withheld = serializers.SerializerMethodField(
        help_text="true when the name, birth date and document are withheld: a perpetrator "
        "copied from a case whose identities the user may not see"
    )

    def get_open_hits(self, obj: Subject) -> int:
        return sum(1 for h in obj.hits.all() if h.status == Hit.Status.OPEN)

    def get_identity_withheld(self, obj: Subject) -> bool:
        return not _shows(self.context, obj)

    def to_representation(self, instance: Subject) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        if data["identity_withheld"]:
            data.update({name: None for name in selectors.IDENTITY_FIELDS})
        return data


def _shows(context: dict[str, Any], subject: Subject) -> bool:
    """Identity is shown only when the serializer was given the user and the user may see
    it: a serializer used without a user withholds it."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return user is not None and selectors.shows_identity(user, subject)


class SubjectCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=["Person", "Organization"], default="Person")
    birth_date = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = serializers.CharField(max_length=60, required=False, allow_blank=True)
    document = serializers.CharField(max_length=60, required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=120, required=False, allow_blank=True)
    purpose = serializers.CharField(max_length=30, required=False, allow_blank=True)
    organisation = serializers.SlugField(required=False)


class HitSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open, confirmed or false_positive")
    subject = serializers.SerializerMethodField()
    entry = serializers.SerializerMethodField()
    organisation = serializers.CharField(source="organisation.code")

    class Meta:
        model = Hit
        fields = [
            "id",
            "organisation",
            "status",
            "score",
            "subject",
            "entry",
            "explanation",
            "created_at",
            "updated_at",
        ]

    def get_subject(self, obj: Hit) -> dict[str, Any]:
        s = obj.subject
        shown = _shows(self.context, s)
        return {
            "id": s.pk,
            "name": s.name if shown else None,
            "identity_withheld": not shown,
            "kind": s.kind,
            "external_id": s.external_id,
        }

    def to_representation(self, instance: Hit) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        data["explanation"] = services.stored_explanation(data.get("explanation") or {})
        return data

    def get_entry(self, obj: Hit) -> dict[str, Any]:
        e = obj.entry
        return {
            "id": e.pk,
            "watchlist": e.watchlist.code,
            "reference": e.reference,
            "caption": e.caption,
            "is_active": e.is_active,
            **presentation.details_of(e),
        }


class DecisionInSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="confirmed or false_positive")
    reason = serializers.CharField(max_length=2000)


class DecisionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="confirmed or false_positive")
    decided_by = serializers.CharField(source="decided_by.username", default="")
    hit = serializers.UUIDField(source="hit_id")

    class Meta:
        model = Decision
        fields = ["id", "hit", "status", "reason", "decided_by", "decided_at"]
