from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.cases import selectors, services
from vigie.cases.api import serializers as s
from vigie.cases.api.pagination import CaseListPagination
from vigie.core import access
from vigie.core.actor import Actor, acting_organisation
from vigie.core.models import Organisation

FILTERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=desc)
    for name, desc in [
        ("situation", "conflict situation code"),
        ("country", "ISO 3166 alpha-2 of any place of the case"),
        ("form", "form of exploitation code"),
        ("sex", "sex code of a victim or incident count"),
        ("age_group", "child, adult or unknown"),
        ("date_from", "events on or after (YYYY-MM-DD)"),
        ("date_to", "events on or before (YYYY-MM-DD)"),
        ("organisation", "owning organisation code"),
        ("verification", "verification status code"),
        ("source_type", "data source type code"),
        ("group", "armed group code"),
        ("q", "words in the non-identifying text"),
    ]
]


class CaseList(generics.ListAPIView):
    """Cases you may see, filtered; newest first. Never includes identities."""

    serializer_class = s.CaseListItemSerializer
    pagination_class = CaseListPagination
    required_permissions: dict[str, str | None] = {"GET": "case.view", "POST": "case.create"}

    def get_queryset(self) -> Any:
        user = access.request_user(self.request)
        f = selectors.CaseFilters.from_params(self.request.query_params)
        return selectors.for_list(selectors.filter_cases(selectors.visible_cases(user), f))

    @extend_schema(parameters=FILTERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.CaseSerializer, responses={201: s.CaseSerializer})
    def post(self, request: Request) -> Response:
        user = access.request_user(request)
        if not isinstance(request.data, dict):
            raise ValidationError(["a JSON object is expected"])
        org = acting_organisation(user, "case.create", request.data.get("organisation") or None)
        actor = Actor(user=user, organisation_id=org.pk)
        body = s.CaseSerializer(data=request.data, context={"actor": actor, "organisation": org})
        body.is_valid(raise_exception=True)
        case = body.save()
        return Response(selectors.case_record_for(user, case), status=status.HTTP_201_CREATED)


class CaseBulkCreate(APIView):
    """Create many cases at once: all or nothing."""

    required_permission = "case.create"

    @extend_schema(request=s.CaseSerializer(many=True), responses={201: s.BulkResultSerializer})
    def post(self, request: Request) -> Response:
        user = access.request_user(request)
        if not isinstance(request.data, list):
            raise ValidationError(["a JSON list of case records is expected"])
        if len(request.data) > 1000:
            raise ValidationError(["at most 1000 records per request; use an import job"])
        orgs: dict[str, tuple[Actor, Organisation]] = {}
        errors: dict[str, Any] = {}
        created = []
        with transaction.atomic():
            sid = transaction.savepoint()
            for i, item in enumerate(request.data):
                if not isinstance(item, dict):
                    errors[f"[{i}]"] = ["an object is expected"]
                    continue
                code = item.get("organisation") or ""
                if code not in orgs:
                    org = acting_organisation(user, "case.create", code or None)
                    orgs[code] = Actor(user=user, organisation_id=org.pk), org
                actor, org = orgs[code]
                body = s.CaseSerializer(data=item, context={"actor": actor, "organisation": org})
                try:
                    body.is_valid(raise_exception=True)
                    created.append(str(body.save().uuid))
                except services.RecordInvalid as exc:
                    fields: dict[str, list[str]] = {}
                    for e in exc.errors:  # without the values, which may identify someone
                        fields.setdefault(e["field"] or "record", []).append(e["message"])
                    errors[f"[{i}]"] = fields
            if errors:
                transaction.savepoint_rollback(sid)
                raise ValidationError(errors)
        return Response({"created": created}, status=status.HTTP_201_CREATED)


class CaseDetail(APIView):
    """One case. ``?include=identity`` adds identities for roles that may see them (audited)."""

    required_permissions: dict[str, str | None] = {
        "GET": "case.view",
        "PUT": "case.change",
        "PATCH": "case.change",
        "DELETE": "case.delete",
    }

    @extend_schema(
        parameters=[OpenApiParameter("include", OpenApiTypes.STR, enum=["identity"])],
        responses=s.CaseSerializer,
    )
    def get(self, request: Request, uuid: str) -> Response:
        user = access.request_user(request)
        case = selectors.get_case_for(user, uuid)
        identity = request.query_params.get("include") == "identity"
        return Response(selectors.case_record_for(user, case, identity=identity))

    def _update(self, request: Request, uuid: str) -> Response:
        user = access.request_user(request)
        case = selectors.get_case_for(user, uuid, "case.change")
        if not isinstance(request.data, dict):
            raise ValidationError(["a JSON object is expected"])
        actor = Actor(user=user, organisation_id=case.organisation_id)
        context = {"actor": actor, "organisation": case.organisation}
        body = s.CaseSerializer(case, data=request.data, context=context)
        body.is_valid(raise_exception=True)
        case = body.save()
        return Response(selectors.case_record_for(user, case))

    @extend_schema(request=s.CaseSerializer, responses=s.CaseSerializer)
    def put(self, request: Request, uuid: str) -> Response:
        return self._update(request, uuid)

    @extend_schema(request=s.CaseSerializer, responses=s.CaseSerializer)
    def patch(self, request: Request, uuid: str) -> Response:
        return self._update(request, uuid)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, uuid: str) -> Response:
        user = access.request_user(request)
        case = selectors.get_case_for(user, uuid, "case.delete")
        services.delete_case(Actor(user=user, organisation_id=case.organisation_id), case)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CodeLists(APIView):
    """The code lists of the data standard with their labels and crosswalks."""

    required_permission = None

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        from vigie.cases import codelists

        out = {
            name: {
                "version": lst.version,
                "title": lst.title,
                "codes": [
                    {"code": c.code, "labels": c.labels, "xwalk": c.xwalk, **c.attrs}
                    for c in lst.codes.values()
                ],
            }
            for name, lst in codelists.load_all().items()
        }
        return Response(out)
