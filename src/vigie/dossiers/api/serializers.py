"""What the dossier API accepts and returns (drf-spectacular builds the schema from these)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vigie.dossiers.models import Alias, Dossier, Fact, Identifier, Transition


class DossierSummarySerializer(serializers.ModelSerializer[Dossier]):
    organisation = serializers.CharField(source="organisation.code")

    class Meta:
        model = Dossier
        ref_name = "DossierSummary"
        fields = [
            "uuid", "reference", "organisation", "kind", "regime", "status", "primary_name",
            "created_at", "updated_at", "submitted_at",
        ]  # fmt: skip


class AliasSerializer(serializers.ModelSerializer[Alias]):
    class Meta:
        model = Alias
        ref_name = "DossierAlias"
        fields = ["name", "kind", "quality", "script"]
        read_only_fields = ["script"]


class IdentifierSerializer(serializers.ModelSerializer[Identifier]):
    class Meta:
        model = Identifier
        ref_name = "DossierIdentifier"
        fields = ["type", "number", "country", "issued", "note"]


class SourceSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["case", "evidence", "hit", "document"])
    ref = serializers.CharField(max_length=200)

    class Meta:
        ref_name = "DossierFactSource"


class FactSerializer(serializers.ModelSerializer[Fact]):
    sources = SourceSerializer(many=True)

    class Meta:
        model = Fact
        ref_name = "DossierFact"
        fields = ["uuid", "criterion", "statement", "sources", "date_from", "date_to", "created_at"]
        read_only_fields = ["uuid", "created_at"]


class TransitionSerializer(serializers.ModelSerializer[Transition]):
    actor = serializers.CharField(source="actor.username", default="system", read_only=True)

    class Meta:
        model = Transition
        ref_name = "DossierTransition"
        fields = ["from_status", "to_status", "actor", "reason", "at"]


class SectionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    title = serializers.CharField()
    lines = serializers.ListField(child=serializers.CharField())
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    data = serializers.DictField()  # type: ignore[assignment]  # the section's data
    confidential = serializers.BooleanField()

    class Meta:
        ref_name = "DossierSection"


class DossierSerializer(DossierSummarySerializer):
    aliases = AliasSerializer(many=True, read_only=True)
    identifiers = IdentifierSerializer(many=True, read_only=True)
    facts = FactSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(DossierSummarySerializer.Meta):
        ref_name = "Dossier"
        fields = [
            *DossierSummarySerializer.Meta.fields, "regime_version", "birth_date",
            "birth_place", "title", "designation", "address", "narrative", "other_information",
            "nationalities", "gender", "aliases", "identifiers", "facts", "transitions",
        ]  # fmt: skip


class DossierViewSerializer(serializers.Serializer[Any]):
    dossier = DossierSerializer()
    sections = SectionSerializer(many=True)

    class Meta:
        ref_name = "DossierView"


class DossierWriteSerializer(serializers.Serializer[Any]):
    """Fields of a new dossier (kind, regime, primary_name required) or of a change."""

    organisation = serializers.CharField(required=False, help_text="Organisation code.")
    kind = serializers.ChoiceField(choices=Dossier.Kind.choices, required=False)
    regime = serializers.CharField(max_length=20, required=False)
    primary_name = serializers.CharField(max_length=300, required=False)
    birth_date = serializers.CharField(max_length=20, required=False, allow_blank=True)
    birth_place = serializers.CharField(max_length=300, required=False, allow_blank=True)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    designation = serializers.CharField(max_length=300, required=False, allow_blank=True)
    address = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    narrative = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    other_information = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    nationalities = serializers.ListField(child=serializers.CharField(max_length=2), required=False)
    gender = serializers.ChoiceField(
        choices=["", "male", "female", "unknown"], required=False, allow_blank=True
    )

    class Meta:
        ref_name = "DossierWrite"


class LinkCaseSerializer(serializers.Serializer[Any]):
    case = serializers.UUIDField()
    perpetrator = serializers.UUIDField(required=False, allow_null=True)

    class Meta:
        ref_name = "DossierLinkCase"


class ActionSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["send_to_review", "return_to_draft", "submit"])
    reason = serializers.CharField(max_length=2000)

    class Meta:
        ref_name = "DossierAction"
