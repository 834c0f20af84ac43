"""Network API: link chart data, node details, analysis, export/import, cross-referencing.
Thin: every rule is in vigie.network.selectors/analysis/interchange/services."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.core.actor import Actor, acting_organisation
from vigie.core.errors import Invalid
from vigie.core.models import Organisation
from vigie.network import analysis, interchange, selectors, services, tasks
from vigie.network.api import serializers as s

PERM = selectors.PERMISSION


def _scope(request: Request) -> selectors.Scope:
    return selectors.scope_for(Actor(user=request.user))  # type: ignore[arg-type]


def _query(serializer: type[Any], request: Request) -> dict[str, Any]:
    data = request.query_params.copy()
    if "kinds" in data:
        data.setlist("kinds", [k for v in data.getlist("kinds") for k in v.split(",") if k])
    body = serializer(data=data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class Graph(APIView):
    """The link chart around one node: nodes and links the caller may see, filtered."""

    required_permission = PERM

    @extend_schema(parameters=[s.ChartQuery], responses=s.ChartSerializer)
    def get(self, request: Request) -> Response:
        q = _query(s.ChartQuery, request)
        org_id = None
        if q.get("org"):
            org_id = Organisation.objects.filter(code=q["org"]).values_list("pk", flat=True).first()
            if org_id is None:
                raise Invalid("Unknown organisation.", code="unknown_organisation")
        scope = _scope(request)
        nodes, rows, cut = selectors.neighbourhood(
            scope,
            q["node"],
            depth=q["depth"],
            limit=q["limit"],
            kinds=set(q.get("kinds") or ()) or None,
            since=q.get("since"),
            until=q.get("until"),
            organisation_id=org_id,
        )
        drawn = selectors.chart(scope, nodes, rows, f"chart {q['node']}")
        drawn.truncated = cut
        return Response(drawn.as_dict())


class NodeDetail(APIView):
    """One node, its links with their provenance (source record, who recorded it, when) and
    its watchlist matches."""

    required_permission = PERM

    @extend_schema(responses=s.NodeDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(selectors.get_node_for(_scope(request), pk))


class Search(APIView):
    """Nodes whose value is exactly the one given (a phone, an account, a case reference)."""

    required_permission = PERM

    @extend_schema(parameters=[s.SearchQuery], responses=s.NodeSerializer(many=True))
    def get(self, request: Request) -> Response:
        q = _query(s.SearchQuery, request)
        return Response(selectors.find_nodes(_scope(request), q["q"]))


class Stats(APIView):
    """Components, brokers (betweenness) and communities of the visible graph."""

    required_permission = PERM

    @extend_schema(responses=s.StatsSerializer)
    def get(self, request: Request) -> Response:
        return Response(analysis.stats(_scope(request)))


class Path(APIView):
    """The shortest chain of visible links between two nodes."""

    required_permission = PERM

    @extend_schema(parameters=[s.PathQuery], responses=s.ChartSerializer)
    def get(self, request: Request) -> Response:
        q = _query(s.PathQuery, request)
        return Response(analysis.path(_scope(request), q["source"], q["target"]).as_dict())


class Timeline(APIView):
    """The dated links around a node, oldest first."""

    required_permission = PERM

    @extend_schema(parameters=[s.TimelineQuery], responses=s.TimelineSerializer(many=True))
    def get(self, request: Request) -> Response:
        q = _query(s.TimelineQuery, request)
        return Response(analysis.timeline(_scope(request), q["node"], q["depth"]))


class Export(APIView):
    """The visible graph (or a node's neighbourhood) as FollowTheMoney JSON lines, GraphML
    or GEXF; identities only where the caller may see them; recorded in the access log."""

    required_permission = PERM

    @extend_schema(
        parameters=[s.ExportQuery],
        responses={
            (200, "application/x-ndjson"): bytes,
            (200, "application/graphml+xml"): bytes,
            (200, "application/gexf+xml"): bytes,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        q = _query(s.ExportQuery, request)
        fmt = q["fmt"]
        data = interchange.export(_scope(request), fmt, q.get("node"), q["depth"])
        response = HttpResponse(data, content_type=interchange.MEDIA[fmt])
        suffix = {"ftm": "ftm.json", "graphml": "graphml", "gexf": "gexf"}[fmt]
        response["Content-Disposition"] = f'attachment; filename="network.{suffix}"'
        return response


class Import(APIView):
    """Import FollowTheMoney entities (JSON lines) for your organisation (``?org=CODE`` when
    you act for several)."""

    required_permission = services.IMPORT_PERMISSION
    parser_classes = [MultiPartParser]

    @extend_schema(
        parameters=[OpenApiParameter("org", str)],
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        responses={201: s.ImportResultSerializer},
    )
    def post(self, request: Request) -> Response:
        org = acting_organisation(
            request.user, services.IMPORT_PERMISSION, request.query_params.get("org")
        )
        upload = request.FILES.get("file")
        if upload is None:
            raise Invalid("Send the file in the field “file”.", code="file_required")
        actor = Actor(user=request.user, organisation_id=org.pk)  # type: ignore[arg-type]
        lines = io.TextIOWrapper(upload.file, encoding="utf-8", errors="strict")
        try:
            record = services.import_ftm(actor, lines, upload.name or "upload")
        except UnicodeDecodeError:
            raise Invalid("The file is not UTF-8 text.", code="invalid_encoding") from None
        return Response(s.ImportResultSerializer(record).data, status=status.HTTP_201_CREATED)


class Xref(APIView):
    """GET: watchlist matches of the nodes you may see. POST: cross-reference the whole
    graph with the watchlists in force (a background job)."""

    required_permission = PERM

    @extend_schema(responses=s.XrefSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(selectors.visible_xref(_scope(request)))

    @extend_schema(request=None, responses={202: s.GraphJobStartedSerializer})
    def post(self, request: Request) -> Response:
        job = services.start_job(Actor(user=request.user), tasks.XREF)  # type: ignore[arg-type]
        return Response({"job": str(job.pk)}, status=status.HTTP_202_ACCEPTED)


class Rebuild(APIView):
    """Read every record again into the graph (a background job)."""

    required_permission = PERM

    @extend_schema(request=None, responses={202: s.GraphJobStartedSerializer})
    def post(self, request: Request) -> Response:
        job = services.start_job(Actor(user=request.user), tasks.REBUILD)  # type: ignore[arg-type]
        return Response({"job": str(job.pk)}, status=status.HTTP_202_ACCEPTED)
