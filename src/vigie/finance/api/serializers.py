from __future__ import annotations

from typing import Any

from django.utils import translation
from rest_framework import serializers

from vigie.finance import rules
from vigie.finance.models import Alert, TransactionFile


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
