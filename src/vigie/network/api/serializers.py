"""What the network API accepts (query parameters, uploads) and returns (for the schema)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vigie.network.interchange import FORMATS
from vigie.network.models import Node

#: Node ids are 64-bit: a larger integer is refused as a bad parameter, not sent to the
#: database (SQLite raised OverflowError: a 500; ADR 0059).
MAX_ID = 2**63 - 1


class ChartQuery(serializers.Serializer[Any]):
    node = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    depth = serializers.IntegerField(min_value=1, max_value=4, default=2)
    limit = serializers.IntegerField(min_value=1, max_value=20_000, default=500)
    kinds = serializers.MultipleChoiceField(choices=Node.Kind.choices, required=False)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    org = serializers.CharField(required=False, max_length=60)


class PathQuery(serializers.Serializer[Any]):
    source = serializers.IntegerField(min_value=1, max_value=MAX_ID)  # type: ignore[assignment]
    target = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class TimelineQuery(serializers.Serializer[Any]):
    node = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    depth = serializers.IntegerField(min_value=1, max_value=3, default=1)


class SearchQuery(serializers.Serializer[Any]):
    q = serializers.CharField(max_length=300)


class ExportQuery(serializers.Serializer[Any]):
    fmt = serializers.ChoiceField(
        choices=FORMATS, default="ftm", help_text="ftm (JSON lines), graphml or gexf"
    )
    node = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    depth = serializers.IntegerField(min_value=1, max_value=4, default=2)


class NodeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Node.Kind.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    role = serializers.CharField()
    identity = serializers.BooleanField(help_text="the label is an identity the caller may see")
    withheld = serializers.BooleanField(help_text="an identity the caller may not see")


class EdgeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    source = serializers.IntegerField()  # type: ignore[assignment]
    target = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="the kind of link, in the caller's language"
    )
    date = serializers.DateField(allow_null=True)
    organisation = serializers.CharField()
    record_type = serializers.CharField()


class ChartSerializer(serializers.Serializer[Any]):
    nodes = NodeSerializer(many=True)
    edges = EdgeSerializer(many=True)
    truncated = serializers.BooleanField()


class LinkSerializer(EdgeSerializer):
    other = NodeSerializer()
    record_id = serializers.CharField()
    record_url = serializers.CharField(help_text="the source record's page ('' if none)")
    recorded_by = serializers.CharField()
    recorded_at = serializers.DateTimeField(allow_null=True)


class MatchSerializer(serializers.Serializer[Any]):
    watchlist = serializers.CharField()
    reference = serializers.CharField()
    caption = serializers.CharField()
    score = serializers.FloatField()


class NodeDetailSerializer(serializers.Serializer[Any]):
    node = NodeSerializer()
    links = LinkSerializer(many=True)
    watchlist_matches = MatchSerializer(many=True)


class XrefSerializer(MatchSerializer):
    node = NodeSerializer()


class TimelineSerializer(EdgeSerializer):
    source_label = serializers.CharField()
    target_label = serializers.CharField()


class StatsSerializer(serializers.Serializer[Any]):
    nodes = serializers.IntegerField()
    edges = serializers.IntegerField()
    components = serializers.IntegerField()
    largest_components = serializers.ListField(child=serializers.IntegerField())
    brokers = serializers.ListField(child=serializers.DictField())
    communities = serializers.ListField(child=serializers.DictField())
    betweenness = serializers.CharField()


class ImportResultSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid")
    entities = serializers.IntegerField()
    edges = serializers.IntegerField()
    sha256 = serializers.CharField()


class GraphJobStartedSerializer(serializers.Serializer[Any]):
    job = serializers.UUIDField()
