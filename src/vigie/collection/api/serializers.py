from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vigie.collection.models import Device, Submission


class PublishSerializer(serializers.Serializer[Any]):
    xlsform = serializers.FileField(help_text="The XLSForm workbook (.xlsx).")
    organisations = serializers.ListField(
        child=serializers.SlugField(), help_text="Codes of the organisations to publish to."
    )
    encrypt = serializers.BooleanField(
        default=False, help_text="ODK managed encryption: devices encrypt every submission."
    )
    teams = serializers.ListField(
        child=serializers.CharField(max_length=120),
        required=False,
        default=list,
        help_text="Field teams that see the form (made when new); none: every device.",
    )


class PublicationSerializer(serializers.Serializer[Any]):
    organisation = serializers.CharField()
    version = serializers.CharField()
    is_open = serializers.BooleanField()


class TeamCountsSerializer(serializers.Serializer[Any]):
    team = serializers.CharField(help_text="Field team of the devices; empty: no team.")
    received = serializers.IntegerField()
    waiting = serializers.IntegerField()
    rejected = serializers.IntegerField()
    last = serializers.DateTimeField(allow_null=True)


class FormSerializer(serializers.Serializer[Any]):
    form_id = serializers.CharField()
    title = serializers.CharField()
    versions = serializers.ListField(child=serializers.CharField())
    publications = PublicationSerializer(many=True)
    received = serializers.IntegerField()
    waiting = serializers.IntegerField()
    rejected = serializers.IntegerField()
    last = serializers.DateTimeField(allow_null=True)
    teams = TeamCountsSerializer(many=True)


class FormVersionSerializer(serializers.Serializer[Any]):
    form_id = serializers.CharField(source="form.form_id")
    version = serializers.CharField()
    md5 = serializers.CharField()
    encrypted = serializers.BooleanField(source="is_encrypted")
    warnings = serializers.ListField(child=serializers.CharField())


class SubmissionSerializer(serializers.ModelSerializer[Submission]):
    form_id = serializers.CharField(source="form_version.form.form_id")
    form_version = serializers.CharField(source="form_version.version")
    organisation = serializers.CharField(source="organisation.code")
    device = serializers.CharField(source="device.label", allow_null=True, default=None)
    case = serializers.UUIDField(source="case.uuid", allow_null=True, default=None)
    merge_report = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        read_only=True,
        help_text="Accepted into an existing case: the fields filled, kept and replaced.",
    )

    class Meta:
        model = Submission
        fields = [
            "uuid",
            "form_id",
            "form_version",
            "organisation",
            "device",
            "instance_id",
            "deprecated_id",
            "status",
            "received_at",
            "reviewed_at",
            "case",
            "merge_report",
        ]


class AnswerSerializer(serializers.Serializer[Any]):
    path = serializers.CharField()
    question = serializers.CharField(source="label", help_text="The question's label.")
    value = serializers.CharField()
    shown = serializers.CharField()


class ProblemSerializer(serializers.Serializer[Any]):
    question = serializers.CharField()
    value = serializers.CharField()
    reason = serializers.CharField()


class SubmissionDetailSerializer(SubmissionSerializer):
    answers = AnswerSerializer(many=True, read_only=True, source="labelled")
    problems = ProblemSerializer(many=True, read_only=True, source="mapping_problems")

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "answers", "problems"]


class SubmissionDecisionSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Why it is rejected."
    )
    case = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="accept: the reference (or uuid) of an existing case of the submission's "
        "organisation to merge into; a new case when left out.",
    )
    victim = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="accept into a case: the victim of the case the submission is about.",
    )
    on_conflict = serializers.ChoiceField(
        choices=["refuse", "keep", "replace"],
        default="refuse",
        help_text="accept into a case: what to do when the case holds another value "
        "(refuse: 409 naming the fields; keep the case's; replace with the submission's).",
    )


class DeviceInSerializer(serializers.Serializer[Any]):
    label = serializers.CharField(max_length=120)  # type: ignore[assignment]  # (Field.label)
    organisation = serializers.SlugField()
    team = serializers.CharField(
        max_length=120, required=False, default="", allow_blank=True, help_text="Field team."
    )


class DeviceSerializer(serializers.ModelSerializer[Device]):
    organisation = serializers.CharField(source="organisation.code")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)

    class Meta:
        model = Device
        fields = ["id", "label", "organisation", "team", "username", "created_at", "revoked_at"]


class IssuedSerializer(DeviceSerializer):
    password = serializers.CharField(help_text="Shown once; not stored.")

    class Meta(DeviceSerializer.Meta):
        fields = [*DeviceSerializer.Meta.fields, "password"]


class ImportInSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="A KoBoToolbox XLSX or CSV export, or an ODK Central submissions ZIP."
    )
    form_id = serializers.CharField(max_length=120, help_text="The published form it exports.")
    organisation = serializers.SlugField(help_text="Whose review queue receives the rows.")


class ImportStartedSerializer(serializers.Serializer[Any]):
    job = serializers.UUIDField(help_text="Follow it at /api/jobs/<job>/ (progress, report).")
