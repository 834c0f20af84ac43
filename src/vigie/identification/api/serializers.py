"""What the identification API accepts and returns (drf-spectacular builds the schema)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vigie.identification import referrals, services
from vigie.identification.models import Consent, Interview, PlanItem, Referral

LIST_CODES = ["adult_labour", "adult_sexual", "child_labour", "child_sexual"]
#: one choice set, one schema name (ServiceTypeEnum, settings.SPECTACULAR_SETTINGS)
SERVICE_TYPE_CHOICES = sorted(referrals.config()["service_types"])


class InterviewCreateSerializer(serializers.Serializer):
    list_code = serializers.ChoiceField(choices=LIST_CODES)
    language = serializers.ChoiceField(choices=services.LANGUAGES, default="en")
    given_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    sex = serializers.CharField(required=False, allow_blank=True, max_length=20)
    age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    citizenship = serializers.CharField(required=False, allow_blank=True, max_length=2)
    displacement_status = serializers.CharField(required=False, allow_blank=True, max_length=20)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    conflict_situation = serializers.CharField(required=False, allow_blank=True, max_length=40)
    organisation = serializers.CharField(
        required=False, help_text="organisation code when you act for several"
    )


class InterviewDraftSerializer(InterviewCreateSerializer):
    list_code = serializers.ChoiceField(choices=LIST_CODES, required=False)
    language = serializers.ChoiceField(choices=services.LANGUAGES, required=False)
    present = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=200
    )


class InterviewSerializer(serializers.ModelSerializer):
    case: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True
    )
    preview = serializers.SerializerMethodField()

    class Meta:
        model = Interview
        fields = [
            "uuid", "status", "indicator_set", "indicator_version", "list_code", "language",
            "present", "result", "indicated", "sex", "age", "citizenship", "displacement_status",
            "country", "conflict_situation", "case", "created_at", "updated_at", "decided_at",
            "preview",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.DictField())
    def get_preview(self, obj: Interview) -> dict[str, object]:
        from vigie.identification import indicators

        return indicators.score(obj.list_code, obj.present, obj.indicator_set).as_dict()


class DecisionSerializer(serializers.Serializer):
    open_case = serializers.BooleanField()


class ConsentSerializer(serializers.ModelSerializer):
    recipient: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    recorded_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Consent
        fields = [
            "uuid",
            "purpose",
            "recipient",
            "decision",
            "given_by",
            "bid_reference",
            "language",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class ConsentCreateSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=Consent.Purpose.choices)
    decision = serializers.ChoiceField(choices=Consent.Decision.choices)
    recipient = serializers.CharField(
        required=False, allow_blank=True, help_text="organisation code"
    )
    given_by = serializers.ChoiceField(choices=Consent.GivenBy.choices, default="person")
    guardian_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    bid_reference = serializers.CharField(required=False, allow_blank=True, max_length=60)
    language = serializers.ChoiceField(choices=services.LANGUAGES, default="en")


class AreaSerializer(serializers.Serializer):
    """One area a service covers: a country is required (an area without one was a 500)."""

    country = serializers.CharField(min_length=2, max_length=2)
    admin1 = serializers.CharField(required=False, allow_blank=True, max_length=100)
    admin2 = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ServiceSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    provider_name = serializers.CharField(max_length=200)
    organisation = serializers.CharField(
        required=False, allow_blank=True, help_text="organisation code"
    )
    service_type = serializers.ChoiceField(choices=SERVICE_TYPE_CHOICES)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    min_age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    max_age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    sexes = serializers.CharField(required=False, allow_blank=True, max_length=100)
    legal_statuses = serializers.CharField(required=False, allow_blank=True, max_length=200)
    nationalities = serializers.CharField(required=False, allow_blank=True, max_length=400)
    languages = serializers.CharField(required=False, allow_blank=True, max_length=100)
    capacity = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=60)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    areas = serializers.ListField(child=AreaSerializer(), min_length=1)


class ServiceSearchSerializer(serializers.Serializer):
    need = serializers.ChoiceField(choices=SERVICE_TYPE_CHOICES, required=False)
    country = serializers.CharField(required=False, max_length=2)
    admin1 = serializers.CharField(required=False, max_length=100)
    admin2 = serializers.CharField(required=False, max_length=100)
    age = serializers.IntegerField(required=False, min_value=0, max_value=120)
    sex = serializers.CharField(required=False, max_length=20)
    legal_status = serializers.CharField(required=False, max_length=30)
    nationality = serializers.CharField(required=False, max_length=2)
    language = serializers.CharField(required=False, max_length=8)


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    receiving_organisation = serializers.CharField(help_text="organisation code")
    service = serializers.UUIDField(required=False)
    service_type = serializers.ChoiceField(choices=SERVICE_TYPE_CHOICES, required=False)
    shared_fields = serializers.MultipleChoiceField(choices=sorted(referrals.SHAREABLE))
    urgency = serializers.ChoiceField(choices=Referral.Urgency.choices, default="medium")
    kind = serializers.ChoiceField(choices=Referral.Kind.choices, default="referral")


class ReferralWorkflowSerializer(serializers.ModelSerializer):
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    receiving_organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    case = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "uuid", "kind", "organisation", "receiving_organisation", "case", "service_type",
            "urgency", "state", "due_at", "overdue", "shared_fields", "includes_identity",
            "reason", "consent_withdrawn_at", "sent_at", "answered_at", "delivered_at", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_case(self, obj: Referral) -> str | None:
        """The case's uuid, for the sending organisation only (the receiver sees the share)."""
        return str(obj.case.uuid) if self.context.get("sender") else None

    def get_overdue(self, obj: Referral) -> bool:
        from django.utils import timezone

        return (
            obj.state in referrals.OPEN and obj.due_at is not None and obj.due_at < timezone.now()
        )


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Referral.State.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class PlanItemSerializer(serializers.ModelSerializer):
    responsible_organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = PlanItem
        fields = [
            "uuid",
            "need",
            "status",
            "responsible_organisation",
            "start_date",
            "due_date",
            "follow_up_date",
            "done_date",
        ]
        read_only_fields = ["uuid", "responsible_organisation", "done_date"]


class PlanItemWriteSerializer(serializers.Serializer):
    need = serializers.ChoiceField(choices=SERVICE_TYPE_CHOICES, required=False)
    status = serializers.ChoiceField(choices=PlanItem.Status.choices, required=False)
    responsible_organisation = serializers.CharField(required=False, allow_blank=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    follow_up_date = serializers.DateField(required=False, allow_null=True)


class ClosureSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=services.CLOSURE_REASONS)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class NonPunishmentSerializer(serializers.Serializer):
    compelled_offences = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False
    )
    legal_status = serializers.CharField(required=False, allow_blank=True, max_length=30)
    detained = serializers.BooleanField(required=False)
    prosecuted = serializers.BooleanField(required=False)
    released_from_armed_group = serializers.BooleanField(required=False)
    checklist = serializers.DictField(child=serializers.BooleanField(), required=False)
    alert = serializers.BooleanField(read_only=True)


class NotificationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    referral = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class MarkReadSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(
        # ids are 64-bit: a larger one is a 400, not an OverflowError in SQLite (ADR 0059)
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=1000,
    )


class MarkedSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField()
