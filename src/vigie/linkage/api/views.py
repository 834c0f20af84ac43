"""Linkage API: runs, links, the review queue and decisions, the threshold, encoded
uploads and the linkage unit's matching. Thin: each view calls a service or selector."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.core.actor import Actor, actor_for, actor_of_request
from vigie.core.errors import Invalid
from vigie.linkage import encoded, selectors, services
from vigie.linkage.api import serializers as s

KIND_PARAM = OpenApiParameter("kind", str, enum=["victim", "perpetrator"], required=False)


def _actor(request: Request, perm: str, code: str | None) -> Actor:
    return actor_for(request.user, perm, code or request.query_params.get("organisation"))


def _kind(request: Request) -> str:
    kind = request.query_params.get("kind", "victim")
    if kind not in services.KINDS:
        raise Invalid("kind must be victim or perpetrator", detail={"parameter": "kind"})
    return kind


class RunView(APIView):
    """Link every record of a kind across organisations and rebuild the persons."""

    required_permission = "linkage.run"

    @extend_schema(request=s.RunInSerializer, responses={201: s.RunSerializer})
    def post(self, request: Request) -> Response:
        body = s.RunInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = body.validated_data
        actor = _actor(request, "linkage.run", data.get("organisation"))
        result = services.run(actor, kind=data["kind"], threshold=data.get("threshold"))
        return Response(s.RunSerializer(result.as_dict()).data, status=status.HTTP_201_CREATED)


class LinksView(APIView):
    """The links at the current threshold (or confirmed), between records the user may see,
    each with the source record ids given at import."""

    required_permission = "linkage.review"

    @extend_schema(parameters=[KIND_PARAM], responses=s.RecordLinkSerializer(many=True))
    def get(self, request: Request) -> Response:
        actor = actor_of_request(request)
        return Response(
            s.RecordLinkSerializer(selectors.links(actor, _kind(request)), many=True).data
        )


class ReviewView(APIView):
    """Suggested links to review (least certain first) and the precision/recall trade-off."""

    required_permission = "linkage.review"

    @extend_schema(parameters=[KIND_PARAM], responses=s.ReviewSerializer)
    def get(self, request: Request) -> Response:
        actor = actor_of_request(request)
        kind = _kind(request)
        queue = [
            {"id": c.pk, "probability": c.probability, "levels": selectors.level_words(c.levels)}
            for c in selectors.review_queue(actor, kind)
        ]
        body = {
            "threshold": selectors.threshold(kind),
            "queue": queue,
            "tradeoff": selectors.tradeoff(actor, kind),
        }
        return Response(s.ReviewSerializer(body).data)


class DecisionView(APIView):
    """Say whether the two records of a suggested link are the same person (kept for every
    later run)."""

    required_permission = "linkage.review"

    @extend_schema(request=s.LinkDecisionInSerializer, responses={201: s.LinkDecisionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        actor = actor_of_request(request)
        candidate = selectors.get_candidate_for(actor, pk)
        body = s.LinkDecisionInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.decide(actor, candidate, **body.validated_data)
        return Response(s.LinkDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class ThresholdView(APIView):
    """Move the threshold and rebuild the persons (no new scoring)."""

    required_permission = "linkage.run"

    @extend_schema(request=s.ThresholdInSerializer, responses=s.ReviewSerializer)
    def post(self, request: Request) -> Response:
        body = s.ThresholdInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = body.validated_data
        actor = _actor(request, "linkage.run", data.get("organisation"))
        services.set_threshold(actor, data["threshold"], kind=data["kind"])
        kind = data["kind"]
        body_out = {
            "threshold": selectors.threshold(kind),
            "queue": [],
            "tradeoff": selectors.tradeoff(actor, kind),
        }
        return Response(s.ReviewSerializer(body_out).data)


class EncodingsView(APIView):
    """Upload the organisation's Bloom-filter encodings (made locally with
    ``vigie link encode``): record keys and filters only."""

    required_permission = "linkage.encode"

    @extend_schema(request=s.EncodingInSerializer, responses={201: s.EncodingSerializer})
    def post(self, request: Request) -> Response:
        body = s.EncodingInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = body.validated_data
        actor = _actor(request, "linkage.encode", data.get("organisation"))
        e = encoded.upload(actor, {"schema": data["schema"], "clks": data["clks"]})
        out = {"upload": str(e.uuid), "count": e.count}
        return Response(s.EncodingSerializer(out).data, status=status.HTTP_201_CREATED)


class MatchView(APIView):
    """As the linkage unit: match the latest upload of each organisation; pairs of keys."""

    required_permission = "linkage.match"

    @extend_schema(request=s.MatchInSerializer, responses=s.PairSerializer(many=True))
    def post(self, request: Request) -> Response:
        body = s.MatchInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = body.validated_data
        actor = _actor(request, "linkage.match", data.get("organisation"))
        pairs = encoded.match_uploads(actor, data["threshold"])
        return Response(s.PairSerializer(pairs, many=True).data)
