"""Suppliers API: the register, imports, questionnaire links, the procurement queue and its
decisions, the dashboard figures, the audit export; and the supplier's own link (no
account: the signed token is the only credential)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.core.actor import Actor, acting_organisation
from vigie.core.errors import Invalid
from vigie.suppliers import duediligence, exports, importer, questionnaire, selectors, services
from vigie.suppliers.api import serializers as s


def actor_in(request: Request, perm: str, code: str | None = None) -> Actor:
    org = acting_organisation(request.user, perm, code or request.query_params.get("organisation"))
    return Actor(user=request.user, organisation_id=org.pk)  # type: ignore[arg-type]


def viewer(request: Request) -> Actor:
    return Actor(user=request.user)  # type: ignore[arg-type]


def supplier_data(d: dict[str, Any]) -> services.SupplierData:
    return services.SupplierData(
        reference=d["reference"],
        name=d["name"],
        country=d["country"],
        address=d["address"],
        contact_email=d["contact_email"],
        identifiers=d["identifiers"],
        sourcing_countries=d["sourcing_countries"],
        parties=[services.PartyData(**p) for p in d["parties"]],
        products=[services.ProductData(**p) for p in d["products"]],
        contracts=[services.ContractData(**c) for c in d["contracts"]],
    )


class SuppliersView(APIView):
    """The register (highest risk first) and the registration of a supplier, screened at once."""

    required_permissions = {"GET": "suppliers.view", "POST": "suppliers.manage"}

    @extend_schema(responses=s.SupplierOut(many=True))
    def get(self, request: Request) -> Response:
        qs = selectors.visible_suppliers(viewer(request)).order_by("-risk_score", "reference")
        return Response(s.SupplierOut(qs[:500], many=True).data)

    @extend_schema(request=s.SupplierIn, responses={201: s.SupplierOut})
    def post(self, request: Request) -> Response:
        body = s.SupplierIn(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        actor = actor_in(request, "suppliers.manage", d.get("organisation"))
        org = acting_organisation(request.user, "suppliers.manage", d.get("organisation"))
        supplier = services.create_supplier(actor, org, supplier_data(d))
        return Response(s.SupplierOut(supplier).data, status=201)


class SupplierView(APIView):
    required_permission = "suppliers.view"

    @extend_schema(responses=s.SupplierOut)
    def get(self, request: Request, pk: int) -> Response:
        supplier = selectors.get_supplier_for(viewer(request), pk)
        return Response(s.SupplierOut(supplier).data)


class ImportView(APIView):
    """Register the suppliers of a CSV/XLSX file through an optional mapping file (YAML);
    every bad row is reported and a file with one registers nothing."""

    required_permission = "suppliers.manage"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.SupplierImportIn}, responses={200: dict, 400: dict}
    )
    def post(self, request: Request) -> Response:
        body = s.SupplierImportIn(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        org = acting_organisation(request.user, "suppliers.manage", d.get("organisation"))
        actor = Actor(user=request.user, organisation_id=org.pk)  # type: ignore[arg-type]
        with tempfile.TemporaryDirectory() as tmp:
            name = Path(d["file"].name).name or "suppliers.csv"
            path = Path(tmp) / ("upload" + Path(name).suffix.lower())
            path.write_bytes(d["file"].read())
            mapping = None
            if d.get("mapping"):
                mapping = Path(tmp) / "mapping.yaml"
                mapping.write_bytes(d["mapping"].read())
            result = importer.import_file(actor, org, path, mapping_path=mapping)
        return Response(result.as_dict(), status=400 if result.errors else 200)


class InviteView(APIView):
    """A questionnaire link for a supplier: give the link to the supplier (no account)."""

    required_permission = "suppliers.manage"

    @extend_schema(request=s.InvitationIn, responses={201: s.LinkOut})
    def post(self, request: Request, pk: int) -> Response:
        actor = viewer(request)
        supplier = selectors.get_supplier_for(actor, pk, "suppliers.manage")
        body = s.InvitationIn(data=request.data)
        body.is_valid(raise_exception=True)
        invitation, token = duediligence.create_invitation(actor, supplier, **body.validated_data)
        link = request.build_absolute_uri(f"/suppliers/answer/{token}/")
        return Response(
            {"invitation": s.InvitationOut(invitation).data, "token": token, "link": link},
            status=201,
        )


class AlertsView(APIView):
    """The procurement officer's queue: new, changed and removed hits with explanations."""

    required_permission = "suppliers.review"

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["open", "clear", "block", "escalate", "all"])
        ],
        responses=s.AlertOut(many=True),
    )
    def get(self, request: Request) -> Response:
        status = request.query_params.get("status", "open")
        qs = selectors.queue(viewer(request), status)[:500]
        return Response(s.AlertOut(qs, many=True).data)


class ReviewView(APIView):
    """Clear, block or escalate an alert, with a reason (kept whatever later lists do)."""

    required_permission = "suppliers.review"

    @extend_schema(request=s.ReviewIn, responses={201: s.ReviewOut})
    def post(self, request: Request, pk: int) -> Response:
        actor = viewer(request)
        alert = selectors.get_alert_for(actor, pk)
        body = s.ReviewIn(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.record_review(actor, alert, **body.validated_data)
        return Response(s.ReviewOut(review).data, status=201)


class DashboardView(APIView):
    """Risk by supplier, product and country; suppliers waiting; expired questionnaires."""

    required_permission = "suppliers.view"

    @extend_schema(responses=dict)
    def get(self, request: Request) -> Response:
        d = selectors.dashboard(viewer(request))
        return Response(
            {
                "counts": d["counts"],
                "waiting_count": d["waiting_count"],
                "open_alerts": d["open_alerts"],
                "top": s.SupplierOut(d["top"], many=True).data,
                "by_country": d["by_country"],
                "by_good": d["by_good"],
                "expired": [i.supplier.reference for i in d["expired"]],
            }
        )


class ExportView(APIView):
    """The whole register with its decisions (CSV or XLSX), recorded in the access log."""

    required_permission = "suppliers.export"

    @extend_schema(
        parameters=[OpenApiParameter("as", str, enum=list(exports.FORMATS))],
        responses={(200, "text/csv"): bytes},
    )
    def get(self, request: Request) -> HttpResponse:
        # "as", not "format": DRF reads ?format= to choose its renderer
        fmt = request.query_params.get("as", "csv")
        if fmt not in exports.FORMATS:
            raise Invalid(_("Format must be csv or xlsx."), detail={"field": "format"})
        actor = actor_in(request, "suppliers.export")
        data = exports.export(actor, fmt)
        kind = (
            "text/csv"
            if fmt == "csv"
            else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
        response = HttpResponse(data, content_type=kind)
        response["Content-Disposition"] = f'attachment; filename="suppliers.{fmt}"'
        return response


class AnswerView(APIView):
    """The supplier's link: read the questionnaire, submit the answers once."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(responses=dict)
    def get(self, request: Request, token: str) -> Response:
        invitation = duediligence.invitation_for(token)
        q = questionnaire.current()
        lang = invitation.language
        return Response(
            {
                "supplier": invitation.supplier.name,
                "questionnaire": q.code,
                "version": q.version,
                "language": lang,
                "expires_at": invitation.expires_at,
                "questions": [
                    {
                        "code": x.code,
                        "section": x.section,
                        "text": x.label(lang),
                        "choices": {c: q.choice_label(c, lang) for c in x.choices},
                    }
                    for x in q.questions
                ],
            }
        )

    @extend_schema(request=s.AnswersIn, responses={201: dict})
    def post(self, request: Request, token: str) -> Response:
        body = s.AnswersIn(data=request.data)
        body.is_valid(raise_exception=True)
        invitation = duediligence.submit_answers(token, **body.validated_data)
        return Response(
            {"status": invitation.status, "submitted_at": invitation.submitted_at}, status=201
        )


class AnswerFileView(APIView):
    """A document attached to the answers (stored in the evidence vault; its SHA-256 back)."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": s.AttachmentIn}, responses={201: dict})
    def post(self, request: Request, token: str) -> Response:
        body = s.AttachmentIn(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        attachment = duediligence.add_attachment(token, upload, upload.name)
        return Response({"name": attachment.name, "sha256": attachment.sha256}, status=201)
