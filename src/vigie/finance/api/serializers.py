from __future__ import annotations

from typing import Any

from django.utils import translation
from rest_framework import serializers

from vigie.finance import rules
from vigie.finance.models import Alert, CaseLink, TransactionFile


class AlertSerializer(serializers.ModelSerializer[Alert]):
    rule_label = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    account = serializers.IntegerField(source="account_id", read_only=True)
    score = serializers.FloatField(source="account.score", read_only=True, allow_null=True)
    drivers = serializers.SerializerMethodField()
    assignee = serializers.CharField(source="assignee.username", read_only=True, default=None)

    class Meta:
        model = Alert
        fields = [
            "id",
            "account",
            "score",
            "drivers",
            "rule",
            "rule_version",
            "rule_label",
            "typology",
            "explanation",
            "facts",
            "transactions",
            "amount",
            "status",
            "assignee",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    def _rule(self, alert: Alert) -> rules.Rule | None:
        return rules.library().rules.get(alert.rule)

    def get_rule_label(self, alert: Alert) -> str:
        rule = self._rule(alert)
        return rule.label_in(translation.get_language() or "en") if rule else alert.rule

    def get_explanation(self, alert: Alert) -> str:
        rule = self._rule(alert)
        lang = translation.get_language() or "en"
        return rule.explanation(alert.facts, lang) if rule else ""

    def get_drivers(self, alert: Alert) -> list[str]:
        detail: dict[str, Any] = alert.account.score_detail or {}
        return list(detail.get("drivers", []))


class AlertDecisionSerializer(serializers.Serializer[dict[str, Any]]):
    status = serializers.ChoiceField(
        choices=[
            Alert.Status.FALSE_POSITIVE,
            Alert.Status.ESCALATED,
            Alert.Status.REPORTED,
        ]
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class AlertAssignSerializer(serializers.Serializer[dict[str, Any]]):
    assignee = serializers.CharField(allow_null=True, max_length=150)


class TransactionFileSerializer(serializers.ModelSerializer[TransactionFile]):
    class Meta:
        model = TransactionFile
        fields = ["id", "name", "rows", "rejected", "first_at", "last_at", "imported_at"]
        read_only_fields = fields


class RuleRunSerializer(serializers.Serializer[dict[str, Any]]):
    rules = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, allow_empty=True
    )


class CaseLinkWriteSerializer(serializers.Serializer[Any]):
    case = serializers.UUIDField()
    party = serializers.ChoiceField(choices=CaseLink.Party.choices, default=CaseLink.Party.CASE)
    person = serializers.UUIDField(required=False, allow_null=True)
    basis = serializers.ChoiceField(choices=CaseLink.Basis.choices, default=CaseLink.Basis.ANALYST)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CaseLinkSerializer(serializers.ModelSerializer[CaseLink]):
    account = serializers.IntegerField(source="account_id", read_only=True)
    case = serializers.UUIDField(source="case.uuid", read_only=True)

    class Meta:
        model = CaseLink
        fields = ["id", "account", "case", "party", "person", "basis", "linked_at"]


class PanelAccountSerializer(serializers.Serializer[Any]):
    link = serializers.UUIDField()
    account = serializers.IntegerField()
    organisation = serializers.CharField()
    party = serializers.CharField()
    basis = serializers.CharField()
    country = serializers.CharField(allow_blank=True)
    score = serializers.FloatField(allow_null=True)
    first_seen = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField(allow_null=True)
    alerts = serializers.IntegerField()
    open_alerts = serializers.IntegerField()
    reported = serializers.IntegerField()


class CasePanelSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="accounts linked to the case, in every unit")
    accounts = PanelAccountSerializer(many=True, help_text="those of units you analyse for")
    held_elsewhere = serializers.ListField(
        child=serializers.CharField(), help_text="other units holding linked accounts"
    )


class RfiSerializer(serializers.Serializer[Any]):
    requested_unit = serializers.CharField(max_length=200)
    requested_country = serializers.CharField(min_length=2, max_length=2)
    questions = serializers.ListField(
        child=serializers.CharField(max_length=1000), min_length=1, max_length=20
    )
    urgency = serializers.ChoiceField(choices=["normal", "urgent"], default="normal")
    terrorism_financing = serializers.BooleanField(default=False)
    language = serializers.ChoiceField(choices=["en", "fr"], default="en")
