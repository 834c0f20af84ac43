"""The case API's serializers: the OpenAPI schema of the nested record, and its validation.

:class:`CaseSerializer` is what the API accepts: its fields are the model's writable fields
(``records.writable_fields``, the same list :func:`records.validate` walks), and it
validates through :func:`vigie.cases.services.check_record`, the one definition of the
record's rules (the model fields' conversion, choices, code lists and validators, and the
rules across fields) that the import, the form and the API share. A refused record raises
``RecordInvalid``: the RFC 9457 problem document with one ``errors`` entry per path
(``victims[0].sex``), without the values. Writing goes through ``services.save_record``.
See ADR 0322."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from vigie.cases import records, services
from vigie.cases.models import (
    Case,
    Exploitation,
    Incident,
    Perpetrator,
    Referral,
    RouteLeg,
    Victim,
)


def _child(model: type[models.Model]) -> type[serializers.ModelSerializer[Any]]:
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

    # The context a write needs: ``actor`` and ``organisation`` (resolved by the view, once),
    # and ``instance`` for an update.
    def to_internal_value(self, data: Any) -> dict[str, Any]:
        """The whole nested record at once, as every other entry point checks it (rather
        than field by field through DRF's fields, which would be a second set of rules)."""
        if not isinstance(data, dict):
            raise serializers.ValidationError(["a JSON object is expected"])
        dropped = ("organisation", "uuid") if self.instance is not None else ("organisation",)
        record = {k: v for k, v in data.items() if k not in dropped}
        parsed = services.check_record(
            self.context["actor"], self.context["organisation"], record, instance=self.instance
        )
        return {"record": record, "parsed": parsed}

    def get_validators(self) -> list[Any]:
        # The uniqueness of the reference and source record id is the service's check,
        # reported with the record's other problems (services._check_unique).
        return []

    def create(self, validated_data: dict[str, Any]) -> Case:
        return services.save_record(
            self.context["actor"],
            self.context["organisation"],
            validated_data["record"],
            parsed=validated_data["parsed"],
        )

    def update(self, instance: Case, validated_data: dict[str, Any]) -> Case:
        return services.save_record(
            self.context["actor"],
            self.context["organisation"],
            validated_data["record"],
            instance=instance,
            parsed=validated_data["parsed"],
        )


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
