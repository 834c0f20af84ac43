"""Dossier API: thin views over services, selectors and exports (errors are VigieErrors,
rendered as problem documents by the core exception handler)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.core.actor import Actor, actor_for, actor_of_request
from vigie.dossiers import exports, regimes, selectors, services
from vigie.dossiers.api import serializers as s
from vigie.dossiers.models import Dossier

VIEW, EDIT, REVIEW, EXPORT = "dossier.view", "dossier.edit", "dossier.review", "dossier.export"


def _lang(request: Request) -> str:
    return (getattr(request, "LANGUAGE_CODE", "") or "en")[:2]


def _flag(request: Request, name: str) -> bool:
    return str(request.query_params.get(name, "")).lower() in ("1", "true", "yes")


def _for(request: Request, dossier: Dossier) -> Actor:
    return actor_of_request(request).with_organisation(dossier.organisation_id)


class RegimesView(APIView):
    """The sanctions regimes and their designation criteria (versioned data, en/fr/ar)."""

    required_permission = VIEW

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        cat = regimes.catalogue()
        return Response(
            {
                "version": cat.version,
                "regimes": {
                    code: {
                        "label": r.labels,
                        "committee": r.committee,
                        "un_list_type": r.un_list_type,
                        "note": r.note,
                        "criteria": {
                            c.code: {
                                "label": c.labels,
                                "source": {"document": c.document, "paragraph": c.paragraph},
                                "verified": c.verified,
                                "verify": c.verify,
                            }
                            for c in r.criteria.values()
                        },
                    }
                    for code, r in cat.regimes.items()
                },
            }
        )


class DossiersView(APIView):
    required_permissions = {"GET": VIEW, "POST": EDIT}

    @extend_schema(
        parameters=[OpenApiParameter("status", str, required=False)],
        responses=s.DossierSummarySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        actor = actor_of_request(request)
        rows = list(selectors.visible_dossiers(actor, request.query_params.get("status"))[:200])
        selectors.record_list_view(actor, rows)
        return Response(s.DossierSummarySerializer(rows, many=True).data)

    @extend_schema(request=s.DossierWriteSerializer, responses={201: s.DossierSerializer})
    def post(self, request: Request) -> Response:
        body = s.DossierWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        actor = actor_for(request.user, EDIT, data.pop("organisation", None))
        dossier = services.create_dossier(
            actor,
            kind=data.pop("kind", ""),
            regime=data.pop("regime", ""),
            primary_name=data.pop("primary_name", ""),
            **data,
        )
        return Response(s.DossierSerializer(dossier).data, status=201)


class DossierView(APIView):
    required_permissions = {"GET": VIEW, "PATCH": EDIT}

    @extend_schema(
        parameters=[OpenApiParameter("identities", bool, required=False)],
        responses=s.DossierViewSerializer,
    )
    def get(self, request: Request, uuid: Any) -> Response:
        actor = actor_of_request(request)
        dossier = selectors.get_dossier_for(actor, uuid)
        parts = selectors.view(
            _for(request, dossier), dossier, identities=_flag(request, "identities"),
            language=_lang(request),
        )  # fmt: skip
        return Response(s.DossierViewSerializer({"dossier": dossier, "sections": parts}).data)

    @extend_schema(request=s.DossierWriteSerializer, responses=s.DossierSerializer)
    def patch(self, request: Request, uuid: Any) -> Response:
        dossier = selectors.get_dossier_for(actor_of_request(request), uuid)
        body = s.DossierWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = {
            k: v
            for k, v in body.validated_data.items()
            if k not in ("organisation", "kind", "regime")
        }
        dossier = services.update_dossier(_for(request, dossier), dossier, **data)
        return Response(s.DossierSerializer(dossier).data)


class AliasesView(APIView):
    required_permission = EDIT

    @extend_schema(request=s.AliasSerializer, responses={201: s.AliasSerializer})
    def post(self, request: Request, uuid: Any) -> Response:
        dossier = selectors.get_dossier_for(actor_of_request(request), uuid)
        body = s.AliasSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alias = services.add_alias(_for(request, dossier), dossier, **body.validated_data)
        return Response(s.AliasSerializer(alias).data, status=201)


class IdentifiersView(APIView):
    required_permission = EDIT

    @extend_schema(request=s.IdentifierSerializer, responses={201: s.IdentifierSerializer})
    def post(self, request: Request, uuid: Any) -> Response:
        dossier = selectors.get_dossier_for(actor_of_request(request), uuid)
        body = s.IdentifierSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {k: v or "" for k, v in body.validated_data.items()}
        ident = services.add_identifier(_for(request, dossier), dossier, **data)
        return Response(s.IdentifierSerializer(ident).data, status=201)


class CasesView(APIView):
    required_permission = EDIT

    @extend_schema(request=s.LinkCaseSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, uuid: Any) -> Response:
        dossier = selectors.get_dossier_for(actor_of_request(request), uuid)
        body = s.LinkCaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        link = services.link_case(
            _for(request, dossier), dossier, body.validated_data["case"],
            body.validated_data.get("perpetrator"),
        )  # fmt: skip
        return Response({"case": str(link.case.uuid), "reference": link.case.reference}, 201)


class FactsView(APIView):
    required_permission = EDIT

    @extend_schema(request=s.FactSerializer, responses={201: s.FactSerializer})
    def post(self, request: Request, uuid: Any) -> Response:
        dossier = selectors.get_dossier_for(actor_of_request(request), uuid)
        body = s.FactSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        fact = services.add_fact(
            _for(request, dossier), dossier, criterion=data["criterion"],
            statement=data["statement"], sources=[dict(x) for x in data["sources"]],
            date_from=data.get("date_from"), date_to=data.get("date_to"),
        )  # fmt: skip
        return Response(s.FactSerializer(fact).data, status=201)


class FactView(APIView):
    required_permission = EDIT

    @extend_schema(responses={204: None})
    def delete(self, request: Request, uuid: Any, fact: Any) -> Response:
        dossier = selectors.get_dossier_for(actor_of_request(request), uuid)
        services.remove_fact(_for(request, dossier), dossier, fact)
        return Response(status=204)


class TransitionView(APIView):
    """Send to review (dossier.edit), return to draft or submit (dossier.review, four eyes)."""

    required_permission = VIEW

    @extend_schema(request=s.ActionSerializer, responses=s.DossierSerializer)
    def post(self, request: Request, uuid: Any) -> Response:
        dossier = selectors.get_dossier_for(actor_of_request(request), uuid)
        body = s.ActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.record_transition(
            _for(request, dossier), dossier, body.validated_data["action"],
            body.validated_data["reason"],
        )  # fmt: skip
        return Response(s.DossierSerializer(dossier).data)


class ExportView(APIView):
    """The draft listing form as PDF (fr or en) or the Consolidated List entry as XML."""

    required_permission = EXPORT

    @extend_schema(
        parameters=[
            OpenApiParameter("output", str, enum=list(exports.FORMATS), required=False),
            OpenApiParameter("lang", str, enum=list(exports.LANGUAGES), required=False),
            OpenApiParameter("identities", bool, required=False),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request: Request, uuid: Any) -> HttpResponse:
        dossier = selectors.get_dossier_for(actor_of_request(request), uuid, EXPORT)
        out = exports.export(
            _for(request, dossier), dossier, request.query_params.get("output", "pdf"),
            request.query_params.get("lang", "en"), identities=_flag(request, "identities"),
        )  # fmt: skip
        response = HttpResponse(out.content, content_type=out.content_type)
        response["Content-Disposition"] = f'attachment; filename="{out.filename}"'
        response["X-Content-SHA256"] = out.sha256
        return response
