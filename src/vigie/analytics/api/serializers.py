from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vigie.analytics.models import PrivacyLedgerEntry


class CellSerializer(serializers.Serializer):
    count = serializers.IntegerField(allow_null=True, help_text="null when suppressed")
    suppressed = serializers.BooleanField()


class ReleaseSerializer(serializers.Serializer):
    dimensions = serializers.ListField(child=serializers.CharField())
    method = serializers.ChoiceField(choices=["suppression", "dp"])
    k = serializers.IntegerField(allow_null=True)
    epsilon = serializers.FloatField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())
    fully_suppressed = serializers.BooleanField()
    rows = serializers.ListField(
        child=serializers.DictField(),
        help_text='one object per cell: each dimension ("_all" for a margin), count, suppressed',
    )


class RoutesSerializer(serializers.Serializer):
    flows = ReleaseSerializer()
    route_types = ReleaseSerializer()
    legs = ReleaseSerializer()
    transit = ReleaseSerializer()


class LedgerSerializer(serializers.ModelSerializer):
    user: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = PrivacyLedgerEntry
        fields = [
            "id",
            "created_at",
            "user",
            "organisation",
            "label",
            "query",
            "mechanism",
            "epsilon",
            "sensitivity",
            "scale",
            "cells",
        ]


class SnapshotSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    built_at = serializers.CharField(allow_null=True)
    rows = serializers.IntegerField()
    persons = serializers.IntegerField()
    pending_cases = serializers.IntegerField()
    budget_spent = serializers.FloatField()
    budget_total = serializers.FloatField()


class JobStartedSerializer(serializers.Serializer):
    job = serializers.UUIDField()
    status = serializers.CharField()
