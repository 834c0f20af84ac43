from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from rest_framework import serializers

from vigie.core.models import AccessLogEntry, ApiToken, Job, Organisation, PendingGrant, User
from vigie.core.roles import catalogue


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "country", "is_active"]
        read_only_fields = ["is_active"]


class MembershipSerializer(serializers.Serializer[Any]):
    organisation = serializers.CharField(source="organisation.code")
    role = serializers.CharField()


class MeSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    memberships = MembershipSerializer(many=True)
    permissions = serializers.ListField(child=serializers.CharField())


class MemberSerializer(serializers.ModelSerializer[User]):
    roles = serializers.SerializerMethodField()
    pending_roles = serializers.SerializerMethodField(
        help_text="Roles asked for and waiting for a second administrator's approval."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "roles",
            "pending_roles",
        ]

    def get_roles(self, obj: User) -> list[str]:
        org = self.context["organisation"]
        return sorted(m.role for m in obj.memberships.all() if m.organisation_id == org.pk)

    def get_pending_roles(self, obj: User) -> list[str]:
        org = self.context["organisation"]
        return sorted(
            g.role
            for g in obj.pending_grants.all()
            if g.organisation_id == org.pk and g.status == PendingGrant.Status.PENDING
        )


_ROLE_CHOICES = list(catalogue().roles)


class MemberCreateSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, min_length=10, max_length=200)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=_ROLE_CHOICES), min_length=1
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)


class RolesSerializer(serializers.Serializer[Any]):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=_ROLE_CHOICES))


class ChangeSerializer(serializers.ModelSerializer[LogEntry]):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)
    model = serializers.CharField(source="content_type.model")
    action = serializers.SerializerMethodField()
    request_id = serializers.CharField(source="cid", allow_null=True)  # none outside a request
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = LogEntry
        fields = [
            "id",
            "timestamp",
            "actor",
            "organisation",
            "model",
            "object_pk",
            "object_repr",
            "action",
            "changes",
            "remote_addr",
            "request_id",
        ]

    def get_action(self, obj: LogEntry) -> str:
        return {0: "create", 1: "update", 2: "delete"}.get(obj.action, "access")

    def get_organisation(self, obj: LogEntry) -> str | None:
        data = obj.additional_data or {}
        return data.get("organisation") if isinstance(data, dict) else None


class AccessLogSerializer(serializers.ModelSerializer[AccessLogEntry]):
    class Meta:
        model = AccessLogEntry
        fields = [
            "seq",
            "at",
            "actor_username",
            "organisation_code",
            "action",
            "object_type",
            "object_id",
            "fields",
            "detail",
            "request_id",
            "ip",
            "prev_hash",
            "entry_hash",
        ]


class TokenSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "access",
            "permissions",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "revoked_reason",
        ]


class TokenCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Default: VIGIE_TOKEN_DEFAULT_DAYS from now; at most VIGIE_TOKEN_MAX_DAYS.",
    )
    access = serializers.ChoiceField(
        choices=ApiToken.Access.choices,
        default=ApiToken.Access.READ,
        help_text="read: GET, HEAD and OPTIONS only; write: every method.",
    )
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=list(catalogue().permissions)),
        required=False,
        default=list,
        help_text="A subset of your permissions the token carries; empty for all of them.",
    )


class TokenIssuedSerializer(TokenSerializer):
    secret = serializers.CharField()

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "secret"]


class GrantSerializer(serializers.ModelSerializer[PendingGrant]):
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    user: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    requested_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    decided_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = PendingGrant
        fields = [
            "id",
            "organisation",
            "user",
            "role",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class JobSerializer(serializers.ModelSerializer[Job]):
    # null for a job of the system (no organisation, no person): declared so in the schema
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    percent = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "total",
            "done",
            "percent",
            "message",
            "error",
            "result",
            "organisation",
            "created_by",
            "attempts",
            "cancel_requested",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields
