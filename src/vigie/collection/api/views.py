"""Field collection API: forms (list with monitoring counts, publish), devices (issue,
revoke), submissions (queue, detail with labelled answers, accept or reject)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound as ApiNotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.collection import adapters, imports, selectors, services
from vigie.collection.api import serializers as s
from vigie.core import audit
from vigie.core.actor import actor_of_request
from vigie.core.errors import Invalid
from vigie.core.models import Organisation


def _orgs(request: Request, codes: list[str], perm: str) -> list[Organisation]:
    allowed = selectors.organisations_for(request.user, perm)
    found = list(allowed.filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise Invalid(
            "Unknown organisation, or not one you manage collection for.",
            code="unknown_organisation",
        )
    return found


class FormsView(APIView):
    required_permission = services.MANAGE
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=s.FormSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.monitoring(selectors.organisations_for(request.user, services.MANAGE))
        data = [
            {
                "form_id": r["form"].form_id,
                "title": r["form"].title,
                "versions": [v.version for v in r["form"].versions.all()],
                "publications": [
                    {
                        "organisation": p.organisation.code,
                        "version": p.version.version,
                        "is_open": p.is_open,
                    }
                    for p in r["publications"]
                ],
                **{k: r[k] for k in ("received", "waiting", "rejected", "last", "teams")},
            }
            for r in rows
        ]
        return Response(s.FormSerializer(data, many=True).data)

    @extend_schema(request=s.PublishSerializer, responses={201: s.FormVersionSerializer})
    def post(self, request: Request) -> Response:
        body = s.PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["xlsform"]
        orgs = _orgs(request, body.validated_data["organisations"], services.MANAGE)
        version = services.publish_form(
            actor_of_request(request),
            upload.read(),
            upload.name,
            orgs,
            encrypt=body.validated_data["encrypt"],
            teams=body.validated_data["teams"],
        )
        return Response(s.FormVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class PublicationStateView(APIView):
    """Close a form's publication to an organisation (its devices no longer see the form and
    a submission to it is refused with ``form_closed``, 409) or reopen it."""

    required_permission = services.MANAGE

    @extend_schema(request=None, responses=s.PublicationSerializer)
    def post(self, request: Request, form_id: str, org: str, is_open: bool) -> Response:
        pub = selectors.publication_for(request.user, org, form_id)
        services.set_open(actor_of_request(request, pub.organisation_id), pub, is_open)
        data = {
            "organisation": pub.organisation.code,
            "version": pub.version.version,
            "is_open": pub.is_open,
        }
        return Response(s.PublicationSerializer(data).data)


class DevicesView(APIView):
    required_permission = services.MANAGE

    @extend_schema(responses=s.DeviceSerializer(many=True))
    def get(self, request: Request) -> Response:
        devices = selectors.devices(selectors.organisations_for(request.user, services.MANAGE))
        return Response(s.DeviceSerializer(devices, many=True).data)

    @extend_schema(request=s.DeviceInSerializer, responses={201: s.IssuedSerializer})
    def post(self, request: Request) -> Response:
        body = s.DeviceInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        (org,) = _orgs(request, [body.validated_data["organisation"]], services.MANAGE)
        issued = services.issue_device(
            actor_of_request(request),
            org,
            body.validated_data["label"],
            team=body.validated_data["team"],
        )
        device: Any = issued.device
        device.password = issued.secret
        return Response(s.IssuedSerializer(device).data, status=status.HTTP_201_CREATED)


class RevokeView(APIView):
    required_permission = services.MANAGE

    @extend_schema(request=None, responses=s.DeviceSerializer)
    def post(self, request: Request, pk: int) -> Response:
        device = selectors.device_for(request.user, pk)
        services.revoke_device(actor_of_request(request), device)
        return Response(s.DeviceSerializer(device).data)


class SubmissionsView(APIView):
    required_permission = services.REVIEW

    @extend_schema(responses=s.SubmissionSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs = selectors.visible_submissions(request.user).select_related("case")
        wanted = request.query_params.get("status")
        if wanted:
            qs = qs.filter(status=wanted)
        return Response(s.SubmissionSerializer(qs[:500], many=True).data)


class SubmissionView(APIView):
    required_permission = services.REVIEW

    @extend_schema(responses=s.SubmissionDetailSerializer)
    def get(self, request: Request, uuid: str) -> Response:
        sub: Any = selectors.submission_for(request.user, uuid)
        sub.labelled, sub.mapping_problems = [], []
        if not selectors.may_see_answers(request.user, sub):
            return Response(s.SubmissionDetailSerializer(sub).data)
        sub.labelled = selectors.labelled_answers(sub)
        sub.mapping_problems = selectors.problems(sub)
        audit.record_access(
            request.user,
            "view",
            "collection.submission",
            sub.pk,
            fields=["answers"],
            organisation_code=sub.organisation.code,
        )
        return Response(s.SubmissionDetailSerializer(sub).data)


class DecideView(APIView):
    """``accept``: into a new case, or into an existing one (``case``, ``victim``,
    ``on_conflict``: the merge rules of ADR 0910); ``reject``: with a reason."""

    required_permission = services.REVIEW

    @extend_schema(request=s.SubmissionDecisionSerializer, responses=s.SubmissionSerializer)
    def post(self, request: Request, uuid: str, decision: str) -> Response:
        sub = selectors.submission_for(request.user, uuid)
        body = s.SubmissionDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actor = actor_of_request(request, sub.organisation_id)
        if decision == "accept":
            data = body.validated_data
            case = None
            if data.get("case"):
                case = adapters.editable_case(actor, sub.organisation, data["case"])
            victim = str(data["victim"]) if data.get("victim") else None
            services.accept(actor, sub, case, victim=victim, on_conflict=data["on_conflict"])
        elif decision == "reject":
            sub = services.reject(actor, sub, body.validated_data.get("reason", ""))
        else:
            raise ApiNotFound
        sub.refresh_from_db()
        return Response(s.SubmissionSerializer(sub).data)


class ImportsView(APIView):
    """Import a KoBoToolbox or ODK Central export into the review queue, as a background job
    (its report lists every bad row with file, row, column, value and why)."""

    required_permission = services.MANAGE
    parser_classes = [MultiPartParser]

    @extend_schema(request=s.ImportInSerializer, responses={202: s.ImportStartedSerializer})
    def post(self, request: Request) -> Response:
        body = s.ImportInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        (org,) = _orgs(request, [body.validated_data["organisation"]], services.MANAGE)
        form = selectors.publication_for(
            request.user, org.code, body.validated_data["form_id"]
        ).form
        upload = body.validated_data["file"]
        job = imports.start_import(
            actor_of_request(request, org.pk), org, form, upload.chunks(), upload.name
        )
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)
