"""Screening API: search, batch, yente-style match, lists and versions, subjects, alerts
(open hits) and decisions."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.core import access, jobs
from vigie.core.actor import Viewer, acting_organisation
from vigie.core.errors import Invalid
from vigie.screening import engine, presentation, selectors, services
from vigie.screening.api import serializers as s
from vigie.screening.models import Decision, Hit
from vigie.screening.tasks import upload_dir


def _api_error(exc: ValidationError) -> ApiValidationError:
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


def _query_number(
    request: Request, name: str, default: float, kind: type, low: float, high: float
) -> float:
    """A number from the query string, or ``Invalid`` naming the parameter and its range
    (``float("nan")`` and ``"inf"`` parse, so finiteness is checked too)."""
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw.strip())
    except (TypeError, ValueError, OverflowError):
        value = None
    if value is None or not math.isfinite(value) or not low <= value <= high:
        raise Invalid(
            _("%(name)s must be a number from %(low)s to %(high)s")
            % {"name": name, "low": low, "high": high},
            detail={"parameter": name},
        )
    return float(value)


class SearchView(APIView):
    """Screen one name against every list in force; ranked, explained results."""

    required_permission = "screening.run"

    @extend_schema(request=s.QuerySerializer, responses=s.ResultSerializer(many=True))
    def post(self, request: Request) -> Response:
        body = s.QuerySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        try:
            query = services.make_query(
                d["name"],
                d.get("schema"),
                d.get("birth_date", ""),
                d.get("country", ""),
                d.get("document", ""),
            )
        except ValidationError as exc:
            raise _api_error(exc) from None
        results = services.screen(
            query, threshold=d.get("threshold", engine.THRESHOLD), limit=d.get("limit", 10)
        )
        return Response({"query": query.__dict__, "results": presentation.with_listings(results)})


class BatchView(APIView):
    """Screen up to 1,000 names in one request (larger files: the batch page or CLI)."""

    required_permission = "screening.run"

    @extend_schema(request=s.BatchSerializer, responses=s.ResultSerializer(many=True))
    def post(self, request: Request) -> Response:
        body = s.BatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        threshold = body.validated_data.get("threshold", engine.THRESHOLD)
        index = selectors.screening_index()
        out = []
        for i, item in enumerate(body.validated_data["queries"]):
            try:
                query = services.make_query(
                    item["name"],
                    item.get("schema"),
                    item.get("birth_date", ""),
                    item.get("country", ""),
                    item.get("document", ""),
                )
            except ValidationError as exc:
                out.append(
                    {"id": item.get("id") or str(i + 1), "error": exc.messages, "matches": []}
                )
                continue
            results = index.screen(query, threshold=threshold, limit=item.get("limit", 5))
            out.append(
                {"id": item.get("id") or str(i + 1), "matches": [r.as_dict() for r in results]}
            )
        return Response({"results": out})


class MatchView(APIView):
    """FollowTheMoney-shaped entities in, as OpenSanctions' yente ``/match`` takes them."""

    required_permission = "screening.run"

    @extend_schema(request=s.MatchRequestSerializer, responses=dict)
    def post(self, request: Request) -> Response:
        body = s.MatchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        threshold = _query_number(request, "threshold", engine.THRESHOLD, float, 0.0, 1.0)
        limit = min(50, int(_query_number(request, "limit", 5, int, 1, 10**6)))
        return Response(services.match_entities(body.validated_data["queries"], threshold, limit))


class ListsView(APIView):
    """GET: every watchlist version; POST (lists.manage): upload a file, loaded in the
    background (returns the job)."""

    required_permissions: dict[str, str | None] = {"GET": "screening.run", "POST": "lists.manage"}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=s.VersionSerializer(many=True))
    def get(self, request: Request) -> Response:
        versions = [v for w in selectors.watchlists() for v in w.versions.all()]
        return Response(s.VersionSerializer(versions, many=True).data)

    @extend_schema(request=s.LoadSerializer, responses={202: dict})
    def post(self, request: Request) -> Response:
        body = s.LoadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        job = start_load(request.user, upload, body.validated_data)
        return Response({"job": str(job.pk), "status": job.status}, status=status.HTTP_202_ACCEPTED)


def start_load(user: Viewer, upload: Any, options: dict[str, Any]) -> Any:
    import uuid

    name = Path(upload.name).name or "list"
    target = upload_dir() / f"{uuid.uuid4().hex}-{name}"
    with target.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return jobs.start(
        "screening.load",
        user=user,
        params={
            "path": str(target),
            "source": options.get("source") or None,
            "code": options.get("code") or None,
            "mapping": options.get("mapping") or None,
        },
    )


class VersionChangesView(APIView):
    """What one list version added, removed and amended."""

    required_permission = "screening.run"

    @extend_schema(responses=dict)
    def get(self, request: Request, pk: int) -> Response:
        version = selectors.get_version(pk)
        changes = [
            {
                "reference": c.entry.reference,
                "caption": c.entry.caption,
                "kind": c.kind,
                "fields": c.fields,
            }
            for c in selectors.version_changes(version)
        ]
        return Response({"version": s.VersionSerializer(version).data, "changes": changes})


class SubjectsView(generics.ListCreateAPIView):
    """Saved subjects (suppliers, counterparties, perpetrators), re-screened at every list
    update."""

    required_permission = "screening.run"
    serializer_class = s.SubjectSerializer

    def get_queryset(self) -> Any:
        return selectors.visible_subjects(self.request.user).prefetch_related("hits")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        subjects = list(page if page is not None else queryset)
        # the view is in the access log of each organisation whose subjects were shown
        selectors.record_subject_views(request.user, "screening.subject", subjects)
        data = self.get_serializer(subjects, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=s.SubjectCreateSerializer, responses={201: s.SubjectSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = s.SubjectCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        org = acting_organisation(request.user, "screening.run", d.pop("organisation", None))
        try:
            subject, outcome = services.create_subject(request.user, org, **d)
        except ValidationError as exc:
            raise _api_error(exc) from None
        data = dict(s.SubjectSerializer(subject, context={"user": request.user}).data)
        data["new_alerts"] = outcome.new_alerts
        return Response(data, status=status.HTTP_201_CREATED)


class AlertsView(generics.ListAPIView):
    """Potential matches to review (``?status=open`` by default; ``all`` for every one)."""

    required_permission = "screening.review"
    serializer_class = s.HitSerializer

    def get_queryset(self) -> Any:
        wanted = self.request.query_params.get("status", "open")
        return selectors.visible_hits(self.request.user, None if wanted == "all" else wanted)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        hits = list(page if page is not None else queryset)
        selectors.record_subject_views(
            request.user, "screening.hit", [h.subject for h in hits], f"{len(hits)} hits"
        )
        data = self.get_serializer(hits, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class DecisionView(APIView):
    """Confirm a hit as a match, or mark it a false positive, with a reason."""

    required_permission = "screening.review"

    @extend_schema(request=s.DecisionInSerializer, responses={201: s.DecisionSerializer})
    def post(self, request: Request, pk: str) -> Response:
        hit = selectors.get_hit_for(request.user, pk)
        self.check_object_permissions(request, hit)
        body = s.DecisionInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            decision = services.decide(request.user, hit, **body.validated_data)
        except ValidationError as exc:
            raise _api_error(exc) from None
        return Response(s.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionsView(generics.ListAPIView):
    """Every review decision of the user's organisations (the audit trail of reviews)."""

    required_permission = "screening.review"
    serializer_class = s.DecisionSerializer

    def get_queryset(self) -> Any:
        return access.filter_visible(
            Decision.objects.select_related("decided_by"), self.request.user, "screening.review"
        )


__all__ = ["Hit"]
