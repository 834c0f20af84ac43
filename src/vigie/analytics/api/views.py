"""/api/stats/...: typology, trends, routes (disclosure-controlled), the snapshot, the ledger."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from vigie.analytics import exports, selectors
from vigie.analytics.api import serializers as s
from vigie.analytics.schema import FILTERS

FILTER_PARAMS = [
    OpenApiParameter(
        name,
        OpenApiTypes.STR,
        description="period: a year or YYYY-YYYY"
        if name == "period"
        else "one code or several separated by commas",
    )
    for name in FILTERS
]
COMMON = [
    *FILTER_PARAMS,
    OpenApiParameter("mode", OpenApiTypes.STR, enum=["suppress", "dp"]),
    OpenApiParameter("epsilon", OpenApiTypes.FLOAT, description="DP mode; needs stats.publish"),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv", "xlsx"]),
    OpenApiParameter(
        "unit",
        OpenApiTypes.STR,
        enum=["records", "persons"],
        description="persons: records linked as one person (vigie.linkage) count once",
    ),
]


def _request(request: Request, by: str = "") -> selectors.Request:
    q = request.query_params
    filters = {k: q.getlist(k) for k in FILTERS if k in q}
    return selectors.parse_request(
        q.get("by", by),
        filters,
        q.get("mode", "suppress"),
        q.get("epsilon"),
        q.get("table", "victims"),
        q.get("unit", "records"),
    )


def _respond(request: Request, make: Any, name: str, many: bool = False) -> Any:
    fmt = request.query_params.get("format", "json")
    if fmt not in exports.FORMATS:
        raise ValidationError({"format": f"{fmt!r}: use json, csv or xlsx"})
    result = make()  # a QueryError or BudgetExceeded is a problem document (core.api.errors)
    if fmt == "json":
        if many:
            return Response({k: exports.release_dict(r, nonzero=True) for k, r in result.items()})
        return Response(exports.release_dict(result))
    data = exports.render_many(result, fmt) if many else exports.render(result, fmt, name)
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="vigie-{name}.{fmt}"'
    return response


class _Passthrough(BaseRenderer):
    """Lets ``?format=csv|xlsx`` through DRF's negotiation; the view returns the file itself."""

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return json.dumps(data).encode() if not isinstance(data, bytes) else data


class CsvRenderer(_Passthrough):
    media_type = "text/csv"
    format = "csv"


class XlsxRenderer(_Passthrough):
    media_type = exports.CONTENT_TYPES["xlsx"]
    format = "xlsx"


class StatsView(APIView):
    required_permission = "stats.view"
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CsvRenderer, XlsxRenderer]  # type: ignore[list-item]


class Typology(StatsView):
    """Persons by any dimensions (``by``, at most 3) with every margin."""

    @extend_schema(
        parameters=[
            OpenApiParameter("by", OpenApiTypes.STR, description="e.g. sex,age_group"),
            OpenApiParameter("table", OpenApiTypes.STR, enum=["victims", "perpetrators"]),
            *COMMON,
        ],
        responses=s.ReleaseSerializer,
    )
    def get(self, request: Request) -> Any:
        req = _request(request)
        return _respond(request, lambda: selectors.typology(request.user, req), "typology")


class Trends(StatsView):
    """Persons by year, then by ``by`` (at most 2 further dimensions)."""

    @extend_schema(
        parameters=[OpenApiParameter("by", OpenApiTypes.STR), *COMMON],
        responses=s.ReleaseSerializer,
    )
    def get(self, request: Request) -> Any:
        req = _request(request)
        return _respond(request, lambda: selectors.trends(request.user, req), "trends")


class Routes(StatsView):
    """Origin -> destination flows, their type by UN M49 regions, route legs, transit."""

    @extend_schema(parameters=COMMON, responses=s.RoutesSerializer)
    def get(self, request: Request) -> Any:
        req = _request(request, "")

        def make() -> dict[str, Any]:
            r = selectors.routes(request.user, req)
            return {
                "flows": r.flows,
                "route_types": r.route_types,
                "legs": r.legs,
                "transit": r.transit,
            }

        return _respond(request, make, "routes", many=True)


class Snapshot(APIView):
    """The snapshot's state; POST rebuilds it in the background (stats.publish)."""

    required_permissions = {"GET": "stats.view", "POST": "stats.publish"}

    @extend_schema(responses=s.SnapshotSerializer)
    def get(self, request: Request) -> Response:
        return Response(selectors.snapshot_state(request.user))

    @extend_schema(request=None, responses={202: s.JobStartedSerializer})
    def post(self, request: Request) -> Response:
        job = selectors.start_rebuild(request.user)
        return Response({"job": job.pk, "status": job.status}, status=status.HTTP_202_ACCEPTED)


class Ledger(generics.ListAPIView):
    """The privacy-budget ledger (administrators and auditors)."""

    required_permission = "audit.view"
    serializer_class = s.LedgerSerializer

    def get_queryset(self) -> Any:
        return selectors.visible_ledger(self.request.user)
