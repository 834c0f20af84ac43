"""Shapes of the case API for the OpenAPI schema. Reading and writing go through
vigie.cases.records (one definition of the nested record) and vigie.cases.services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vigie.cases import records
from vigie.cases.models import (
    Case,
    Exploitation,
    Incident,
    Perpetrator,
    Referral,
    RouteLeg,
    Victim,
)


def _child(model: type[Any]) -> type[serializers.ModelSerializer[Any]]:
    names = [f.name for f in records.writable_fields(model)]
    links = {
        n: serializers.CharField(
            required=False, allow_null=True, help_text="key (or uuid) of a victim/incident"
        )
        for n in names
        if n in ("victim", "incident")
    }
    meta = type("Meta", (), {"model": model, "fields": ["uuid", "key", *names]})
    attrs: dict[str, Any] = {
        "Meta": meta,
        "uuid": serializers.UUIDField(required=False),
        "key": serializers.CharField(required=False, write_only=True),
        **links,
    }
    return type(f"{model.__name__}Serializer", (serializers.ModelSerializer,), attrs)


IncidentSerializer = _child(Incident)
VictimSerializer = _child(Victim)
ExploitationSerializer = _child(Exploitation)
PerpetratorSerializer = _child(Perpetrator)
RouteLegSerializer = _child(RouteLeg)
ReferralSerializer = _child(Referral)


class CaseSerializer(serializers.ModelSerializer[Case]):
    """A case with its children. Identifying fields (Victim: given_name, family_name,
    other_names, date_of_birth, document_number, phone, address; Perpetrator: name) are sent
    only to roles with victim.identity.view, on ``?include=identity``, and every such read is
    written to the access log."""

    organisation = serializers.CharField(
        required=False, help_text="organisation code (default: your own)"
    )
    incidents = IncidentSerializer(many=True, required=False)
    victims = VictimSerializer(many=True, required=False)
    exploitations = ExploitationSerializer(many=True, required=False)
    perpetrators = PerpetratorSerializer(many=True, required=False)
    route = RouteLegSerializer(many=True, required=False)
    referrals = ReferralSerializer(many=True, required=False)

    class Meta:
        model = Case
        fields = [
            "uuid",
            "organisation",
            *[f.name for f in records.writable_fields(Case)],
            "standard_version",
            "created_at",
            "updated_at",
            *records.CHILDREN,
        ]
        read_only_fields = ["uuid", "standard_version", "created_at", "updated_at"]


class CaseListItemSerializer(serializers.ModelSerializer[Case]):
    organisation = serializers.CharField(source="organisation.code")

    class Meta:
        model = Case
        fields = [
            "uuid",
            "organisation",
            "reference",
            "status",
            "source_type",
            "source_record_id",
            "verification_status",
            "conflict_situation",
            "conflict_context",
            "country",
            "event_date_start",
            "event_date_end",
            "identification_date",
            "report_date",
            "created_at",
            "updated_at",
        ]


class BulkResultSerializer(serializers.Serializer[Any]):
    created = serializers.ListField(child=serializers.UUIDField())
