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


class PublicationSerializer(serializers.Serializer[Any]):
    organisation = serializers.CharField()
    version = serializers.CharField()
    is_open = serializers.BooleanField()


class FormSerializer(serializers.Serializer[Any]):
    form_id = serializers.CharField()
    title = serializers.CharField()
    versions = serializers.ListField(child=serializers.CharField())
    publications = PublicationSerializer(many=True)
    received = serializers.IntegerField()
    waiting = serializers.IntegerField()
    rejected = serializers.IntegerField()
    last = serializers.DateTimeField(allow_null=True)


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
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DeviceInSerializer(serializers.Serializer[Any]):
    label = serializers.CharField(max_length=120)  # type: ignore[assignment]  # (Field.label)
    organisation = serializers.SlugField()


class DeviceSerializer(serializers.ModelSerializer[Device]):
    organisation = serializers.CharField(source="organisation.code")

    class Meta:
        model = Device
        fields = ["id", "label", "organisation", "username", "created_at", "revoked_at"]


class IssuedSerializer(DeviceSerializer):
    password = serializers.CharField(help_text="Shown once; not stored.")

    class Meta(DeviceSerializer.Meta):
        fields = [*DeviceSerializer.Meta.fields, "password"]
