from __future__ import annotations

from rest_framework import serializers

from vigie.linkage.models import Decision, Kind

KIND = serializers.ChoiceField(choices=Kind.choices, default="victim")


class RunInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, default="victim")
    threshold = serializers.FloatField(min_value=0.01, max_value=0.99, required=False)
    organisation = serializers.CharField(required=False, help_text="The organisation acted for.")


class RunSerializer(serializers.Serializer):
    run = serializers.CharField()
    kind = serializers.CharField()
    mode = serializers.CharField()
    records = serializers.IntegerField()
    pairs = serializers.IntegerField()
    persons = serializers.IntegerField()
    seconds = serializers.FloatField()


class SideSerializer(serializers.Serializer):
    record = serializers.IntegerField()
    case = serializers.CharField()
    source_record_id = serializers.CharField()
    organisation = serializers.CharField()


class RecordLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.CharField(allow_null=True)
    probability = serializers.FloatField()
    decision = serializers.CharField(allow_null=True)
    left = SideSerializer()
    right = SideSerializer()
    levels = serializers.DictField(child=serializers.CharField())


class TradeoffSerializer(serializers.Serializer):
    threshold = serializers.FloatField()
    links = serializers.IntegerField()
    expected_precision = serializers.FloatField()
    expected_recall = serializers.FloatField()
    reviewed_precision = serializers.FloatField(required=False)


class QueueItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    probability = serializers.FloatField()
    levels = serializers.DictField(child=serializers.CharField())


class ReviewSerializer(serializers.Serializer):
    threshold = serializers.FloatField()
    queue = QueueItemSerializer(many=True)
    tradeoff = TradeoffSerializer(many=True)


class LinkDecisionInSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Decision.Verdict.choices)
    reason = serializers.CharField(max_length=500, help_text="Why (no names).")


class LinkDecisionSerializer(serializers.Serializer):
    verdict = serializers.CharField()
    reason = serializers.CharField()


class ThresholdInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, default="victim")
    threshold = serializers.FloatField(min_value=0.01, max_value=0.99)
    organisation = serializers.CharField(required=False)


class EncodingInSerializer(serializers.Serializer):
    schema = serializers.CharField()
    clks = serializers.DictField(child=serializers.CharField(), help_text="record key -> base64")
    organisation = serializers.CharField(required=False)


class EncodingSerializer(serializers.Serializer):
    upload = serializers.CharField()
    count = serializers.IntegerField()


class MatchInSerializer(serializers.Serializer):
    threshold = serializers.FloatField(min_value=0.05, max_value=1.0, default=0.7)
    organisation = serializers.CharField(required=False)


class PairSerializer(serializers.Serializer):
    left_org = serializers.CharField()
    left_key = serializers.CharField()
    right_org = serializers.CharField()
    right_key = serializers.CharField()
    score = serializers.FloatField(help_text="probability that the two records are one person")
