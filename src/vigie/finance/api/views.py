"""Finance API: transaction files, rule runs (background jobs), alerts, triage, goAML."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.core import jobs
from vigie.core.actor import Actor, acting_organisation
from vigie.core.errors import Invalid, NotFound
from vigie.core.models import User
from vigie.finance import caselinks, reports, rfi, selectors, services, tasks, uploads
from vigie.finance.api import serializers as s
from vigie.finance.models import Account, Alert


def _actor(request: Request, perm: str) -> tuple[Actor, Any]:
    org = acting_organisation(request.user, perm, request.query_params.get("org"))
    return Actor(user=request.user, organisation_id=org.pk), org  # type: ignore[arg-type]


class AlertList(generics.ListAPIView[Alert]):
    """Alerts of the organisations whose transactions you analyse, highest score first."""

    required_permission = "finance.view"
    serializer_class = s.AlertSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[c for c, _ in Alert.Status.choices]),
            OpenApiParameter("rule", str),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        actor = Actor(user=self.request.user)  # type: ignore[arg-type]
        status_ = self.request.query_params.get("status")
        if status_ and status_ not in Alert.Status.values:
            raise Invalid(f"status must be one of {', '.join(Alert.Status.values)}")
        return selectors.visible_alerts(
            actor, status=status_, rule=self.request.query_params.get("rule")
        ).order_by("-account__score", "-created_at")


class AlertDetail(APIView):
    required_permission = "finance.view"

    @extend_schema(responses=s.AlertSerializer)
    def get(self, request: Request, pk: str) -> Response:
        alert = selectors.get_alert_for(Actor(user=request.user), pk)  # type: ignore[arg-type]
        return Response(s.AlertSerializer(alert).data)


class AlertDecision(APIView):
    """Decide an alert: false positive (with the reason), escalated, or reported."""

    required_permission = "finance.view"

    @extend_schema(request=s.AlertDecisionSerializer, responses=s.AlertSerializer)
    def post(self, request: Request, pk: str) -> Response:
        actor = Actor(user=request.user)  # type: ignore[arg-type]
        alert = selectors.get_alert_for(actor, pk)
        body = s.AlertDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = services.decide_alert(
            actor, alert, body.validated_data["status"], body.validated_data["note"]
        )
        return Response(s.AlertSerializer(alert).data)


class AlertAssign(APIView):
    required_permission = "finance.view"

    @extend_schema(request=s.AlertAssignSerializer, responses=s.AlertSerializer)
    def post(self, request: Request, pk: str) -> Response:
        actor = Actor(user=request.user)  # type: ignore[arg-type]
        alert = selectors.get_alert_for(actor, pk)
        body = s.AlertAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        name = body.validated_data["assignee"]
        assignee = None
        if name:
            assignee = User.objects.filter(username=name, is_active=True).first()
            if assignee is None:
                raise NotFound(f"No active user is called {name}.", code="unknown_user")
        alert = services.assign_alert(actor, alert, assignee)
        return Response(s.AlertSerializer(alert).data)


class AlertReport(APIView):
    """The alert's suspicious-transaction report in goAML 5.0.1 XML (validated)."""

    required_permission = "finance.report"

    @extend_schema(responses={(200, "application/xml"): bytes})
    def get(self, request: Request, pk: str) -> HttpResponse:
        actor = Actor(user=request.user)  # type: ignore[arg-type]
        alert = selectors.get_alert_for(actor, pk)
        data = reports.goaml_str(actor, alert)
        response = HttpResponse(data, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="goaml-str-{alert.pk}.xml"'
        return response


class FileList(APIView):
    """Imported transaction files; POST a CSV/XLSX (and optionally a mapping) to import."""

    required_permissions = {"GET": "finance.view", "POST": "finance.import"}
    parser_classes = [MultiPartParser]

    @extend_schema(responses=s.TransactionFileSerializer(many=True))
    def get(self, request: Request) -> Response:
        files = selectors.visible_files(Actor(user=request.user))  # type: ignore[arg-type]
        return Response(s.TransactionFileSerializer(files[:500], many=True).data)

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "mapping": {"type": "string", "format": "binary"},
                    "partial": {"type": "boolean"},
                },
                "required": ["file"],
            }
        },
        responses={202: dict},
    )
    def post(self, request: Request) -> Response:
        actor, org = _actor(request, "finance.import")
        job = uploads.start_import(
            actor,
            org,
            request.FILES.get("file"),
            request.FILES.get("mapping"),
            partial=str(request.data.get("partial", "")).lower() in {"1", "true", "on"},
        )
        return Response({"job": str(job.pk)}, status=status.HTTP_202_ACCEPTED)


class Run(APIView):
    """Run the red-flag library and the scores in the background."""

    required_permission = "finance.view"

    @extend_schema(request=s.RuleRunSerializer, responses={202: dict})
    def post(self, request: Request) -> Response:
        actor, org = _actor(request, "finance.view")
        body = s.RuleRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = jobs.start(
            tasks.RUN,
            user=actor,
            organisation=org,
            params={"only": body.validated_data.get("rules") or None},
        )
        return Response({"job": str(job.pk)}, status=status.HTTP_202_ACCEPTED)


class AccountLinks(APIView):
    """Link an account of your unit to a case you may read (and to one of its people)."""

    required_permission = "finance.view"

    @extend_schema(request=s.CaseLinkWriteSerializer, responses={201: s.CaseLinkSerializer})
    def post(self, request: Request, pk: int) -> Response:
        actor = Actor(user=request.user)  # type: ignore[arg-type]
        orgs = actor.organisations_with("finance.view")
        qs = Account.objects.filter(pk=pk)
        account = (qs if orgs is None else qs.filter(organisation_id__in=orgs)).first()
        if account is None:
            raise NotFound("No such account.", code="account_not_found")
        body = s.CaseLinkWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        made = caselinks.link(
            actor,
            account,
            d["case"],
            party=d["party"],
            person=str(d["person"]) if d.get("person") else "",
            basis=d["basis"],
            note=d.get("note", ""),
        )
        return Response(s.CaseLinkSerializer(made).data, status=status.HTTP_201_CREATED)


class CaseLinkDetail(APIView):
    required_permission = "finance.view"

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: str) -> Response:
        actor = Actor(user=request.user)  # type: ignore[arg-type]
        caselinks.unlink(actor, caselinks.get_link_for(actor, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CasePanel(APIView):
    """The financial profile of a case: in full for analysts of the unit holding the
    accounts, reduced to "who holds linked accounts" for the case's other readers."""

    required_permission = "case.view"

    @extend_schema(responses=s.CasePanelSerializer)
    def get(self, request: Request, uuid: str) -> Response:
        case = caselinks.case_for_reader(request.user, uuid)
        panel = caselinks.case_panel(request.user, case) or {
            "accounts": [],
            "held_elsewhere": [],
            "count": 0,
        }
        return Response(s.CasePanelSerializer(panel).data)


class AlertRequest(APIView):
    """A request for information to another FIU about this alert (Egmont style, PDF)."""

    required_permission = "finance.report"

    @extend_schema(request=s.RfiSerializer, responses={(200, "application/pdf"): bytes})
    def post(self, request: Request, pk: str) -> HttpResponse:
        actor = Actor(user=request.user)  # type: ignore[arg-type]
        alert = selectors.get_alert_for(actor, pk)
        body = s.RfiSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        req = rfi.Request(
            d["requested_unit"],
            d["requested_country"],
            list(d["questions"]),
            d["urgency"],
            d["terrorism_financing"],
            d["language"],
        )
        data = rfi.build(actor, alert, req, requesting_unit=alert.organisation.name)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="rfi-{alert.pk}.pdf"'
        return response


class CaseReport(APIView):
    """The goAML STR of a case: the alerts' transactions of the accounts your unit linked."""

    required_permission = "finance.report"

    @extend_schema(responses={(200, "application/xml"): bytes})
    def get(self, request: Request, uuid: str) -> HttpResponse:
        actor = Actor(user=request.user)  # type: ignore[arg-type]
        case = caselinks.case_for_reader(request.user, uuid)
        data = reports.goaml_str_for_case(actor, case)
        response = HttpResponse(data, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="goaml-str-case-{uuid}.xml"'
        return response
