"""Identification API: thin views over services and selectors (errors are VigieErrors,
rendered as problem documents by the core exception handler)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.core.actor import Actor, acting_organisation, actor_of_request
from vigie.core.errors import Invalid, NotFound
from vigie.core.models import Organisation
from vigie.identification import (
    caseload,
    directory,
    indicators,
    notifications,
    referrals,
    selectors,
    services,
    statistics,
)
from vigie.identification.api import serializers as s
from vigie.identification.models import Referral

INTERVIEW = "identification.interview"


def _actor(request: Request, perm: str, code: str | None = None) -> Actor:
    org = acting_organisation(request.user, perm, code)
    return Actor(user=request.user, organisation_id=org.pk)  # type: ignore[arg-type]


def _org(code: str) -> Organisation:
    org = Organisation.objects.filter(code=code, is_active=True).first()
    if org is None:
        raise Invalid(
            "Unknown organisation.", code="unknown_organisation", detail={"organisation": code}
        )
    return org


class IndicatorSetView(APIView):
    """The indicator set in force (lists, elements, indicators, labels in fr/en/ar)."""

    required_permission = INTERVIEW

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        iset = indicators.indicator_set()
        return Response(
            {
                "set": iset.code,
                "version": iset.version,
                "title": iset.labels,
                "rule": {
                    "element_present_when": list(iset.combinations),
                    "required_groups": iset.required_groups,
                },
                "elements": {
                    k: {"group": g, "label": lab} for k, (g, lab) in iset.elements.items()
                },
                "lists": {
                    code: {"age": d.age, "form": d.form, "label": d.labels, "indicators": d.items}
                    for code, d in iset.lists.items()
                },
                "indicators": {
                    k: {"label": i.labels, "source": i.source} for k, i in iset.indicators.items()
                },
            }
        )


class InterviewsView(APIView):
    required_permission = INTERVIEW

    @extend_schema(responses=s.InterviewSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs = selectors.visible_interviews(actor_of_request(request))[:100]
        return Response(s.InterviewSerializer(qs, many=True).data)

    @extend_schema(request=s.InterviewCreateSerializer, responses={201: s.InterviewSerializer})
    def post(self, request: Request) -> Response:
        body = s.InterviewCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        actor = _actor(request, INTERVIEW, data.pop("organisation", None))
        interview = services.start_interview(
            actor, data.pop("list_code"), data.pop("language"), **data
        )
        return Response(s.InterviewSerializer(interview).data, status=201)


class InterviewView(APIView):
    required_permission = INTERVIEW

    @extend_schema(responses=s.InterviewSerializer)
    def get(self, request: Request, uuid: Any) -> Response:
        interview = selectors.get_interview_for(actor_of_request(request), uuid)
        return Response(s.InterviewSerializer(interview).data)

    @extend_schema(request=s.InterviewDraftSerializer, responses=s.InterviewSerializer)
    def patch(self, request: Request, uuid: Any) -> Response:
        actor = actor_of_request(request)
        interview = selectors.get_interview_for(actor, uuid)
        body = s.InterviewDraftSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data.pop("organisation", None)
        interview = services.save_draft(
            actor.with_organisation(interview.organisation_id), interview, **data
        )
        return Response(s.InterviewSerializer(interview).data)


class DecideView(APIView):
    """Open a case from the interview, or record that trafficking is not indicated."""

    required_permission = INTERVIEW

    @extend_schema(request=s.DecisionSerializer, responses=s.InterviewSerializer)
    def post(self, request: Request, uuid: Any) -> Response:
        actor = actor_of_request(request)
        interview = selectors.get_interview_for(actor, uuid)
        body = s.DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        interview = services.decide(
            actor.with_organisation(interview.organisation_id),
            interview,
            body.validated_data["open_case"],
        )
        return Response(s.InterviewSerializer(interview).data)


class ConsentsView(APIView):
    required_permission = "referral.manage"

    @extend_schema(responses=s.ConsentSerializer(many=True))
    def get(self, request: Request, uuid: Any) -> Response:
        case = selectors.get_case_for(actor_of_request(request), uuid, "referral.manage")
        return Response(s.ConsentSerializer(selectors.consents_of(case), many=True).data)

    @extend_schema(request=s.ConsentCreateSerializer, responses={201: s.ConsentSerializer})
    def post(self, request: Request, uuid: Any) -> Response:
        actor = actor_of_request(request)
        case = selectors.get_case_for(actor, uuid, "referral.manage")
        body = s.ConsentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        recipient = _org(d.pop("recipient")) if d.get("recipient") else None
        d.pop("recipient", None)
        consent = services.record_consent(
            actor.with_organisation(case.organisation_id),
            case,
            d.pop("purpose"),
            d.pop("decision"),
            recipient=recipient,
            **d,
        )
        return Response(s.ConsentSerializer(consent).data, status=201)


class RoutesView(APIView):
    """Routing suggestions by mandate for the case's victims."""

    required_permission = "referral.manage"

    @extend_schema(responses={200: dict})
    def get(self, request: Request, uuid: Any) -> Response:
        case = selectors.get_case_for(actor_of_request(request), uuid, "referral.manage")
        return Response(referrals.suggest_routes(case))


class ServicesView(APIView):
    """Search the directory by need, place and eligibility; add a service."""

    required_permissions = {"GET": None, "POST": "services.manage"}

    @extend_schema(parameters=[s.ServiceSearchSerializer], responses=s.ServiceSerializer(many=True))
    def get(self, request: Request) -> Response:
        q = s.ServiceSearchSerializer(data=request.query_params)
        q.is_valid(raise_exception=True)
        d = q.validated_data
        need = directory.Need(
            d.get("need", ""), d.get("country", ""), d.get("admin1", ""), d.get("admin2", ""),
            d.get("age"), d.get("sex", ""), d.get("legal_status", ""), d.get("nationality", ""),
            d.get("language", ""),
        )  # fmt: skip
        rows = directory.search(need).select_related("organisation").prefetch_related("areas")
        return Response([_service(x) for x in rows])

    @extend_schema(request=s.ServiceSerializer, responses={201: s.ServiceSerializer})
    def post(self, request: Request) -> Response:
        body = s.ServiceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        areas = d.pop("areas")
        code = d.pop("organisation", "")
        actor = _actor(request, "services.manage", code or None)
        d["organisation"] = Organisation.objects.get(pk=actor.organisation_id or 0)
        service = directory.save_service(actor, d, areas)
        return Response(_service(service), status=201)


def _service(x: Any) -> dict[str, Any]:
    return {
        "uuid": str(x.uuid), "provider_name": x.provider_name,
        "organisation": x.organisation.code if x.organisation else "",
        "service_type": x.service_type,
        "name": x.name, "description": x.description, "min_age": x.min_age, "max_age": x.max_age,
        "sexes": x.sexes.strip(), "legal_statuses": x.legal_statuses.strip(),
        "nationalities": x.nationalities.strip(), "languages": x.languages.strip(),
        "capacity": x.capacity, "contact_name": x.contact_name, "contact_phone": x.contact_phone,
        "contact_email": x.contact_email,
        "areas": [
            {"country": a.country, "admin1": a.admin1, "admin2": a.admin2} for a in x.areas.all()
        ],
    }  # fmt: skip


class ReferralsView(APIView):
    required_permission = "referral.manage"

    @extend_schema(
        parameters=[OpenApiParameter("overdue", bool, description="only overdue referrals")],
        responses=s.ReferralWorkflowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        actor = actor_of_request(request)
        overdue = request.query_params.get("overdue") in ("1", "true", "yes")
        qs = referrals.overdue(actor) if overdue else referrals.visible_referrals(actor)
        rows = qs.select_related("organisation", "receiving_organisation", "case")[:200]
        return Response([_referral(actor, r) for r in rows])

    @extend_schema(
        request=s.ReferralCreateSerializer, responses={201: s.ReferralWorkflowSerializer}
    )
    def post(self, request: Request) -> Response:
        body = s.ReferralCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        actor = actor_of_request(request)
        case = selectors.get_case_for(actor, d["case"], "referral.manage")
        service = selectors.get_service(d["service"]) if d.get("service") else None
        ref = referrals.create_referral(
            actor.with_organisation(case.organisation_id),
            case,
            _org(d["receiving_organisation"]),
            sorted(d["shared_fields"]),
            service=service,
            service_type=d.get("service_type", ""),
            urgency=d["urgency"],
            kind=d["kind"],
        )
        return Response(_referral(actor, ref), status=201)


def _referral(actor: Actor, ref: Referral) -> Any:
    sender = actor.has_perm("referral.manage", ref.organisation_id)
    return s.ReferralWorkflowSerializer(ref, context={"sender": sender}).data


class ReferralView(APIView):
    """One referral and exactly what was shared (the view is in the access log)."""

    required_permission = "referral.manage"

    @extend_schema(responses={200: dict})
    def get(self, request: Request, uuid: Any) -> Response:
        actor = actor_of_request(request)
        ref = referrals.get_referral_for(actor, uuid)
        return Response({**_referral(actor, ref), "shared": referrals.shared_view(actor, ref)})


class TransitionView(APIView):
    required_permission = "referral.manage"

    @extend_schema(request=s.TransitionSerializer, responses=s.ReferralWorkflowSerializer)
    def post(self, request: Request, uuid: Any) -> Response:
        actor = actor_of_request(request)
        ref = referrals.get_referral_for(actor, uuid)
        body = s.TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ref = referrals.move(
            actor, ref, body.validated_data["to"], body.validated_data.get("reason", "")
        )
        return Response(_referral(actor, ref))


class ReferralStatisticsView(APIView):
    """Referral outcomes by service and state, and mean time to answer, disclosure-controlled
    (small cells suppressed, counts perturbed; docs/disclosure-control.md)."""

    required_permission = "stats.view"

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(statistics.outcomes(actor_of_request(request)))


class CaseloadView(APIView):
    required_permission = "referral.manage"

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        actor = _actor(request, "referral.manage", request.query_params.get("organisation"))
        if actor.organisation_id is None:
            raise NotFound("No organisation.", code="organisation_required")
        c = caseload.caseload(actor.organisation_id)
        return Response(
            {
                "received_waiting": c.received_waiting, "received_overdue": c.received_overdue,
                "sent_waiting": c.sent_waiting, "sent_overdue": c.sent_overdue,
                "answer_hours": c.answer_hours, "delivery_hours": c.delivery_hours,
                "follow_ups_overdue": c.follow_ups_overdue, "workers": c.workers,
                "overdue": [str(r["uuid"]) for r in c.overdue_referrals],
            }
        )  # fmt: skip


class PlanView(APIView):
    required_permissions = {"GET": "case.view", "POST": "case.change"}

    @extend_schema(responses=s.PlanItemSerializer(many=True))
    def get(self, request: Request, uuid: Any) -> Response:
        case = selectors.get_case_for(actor_of_request(request), uuid, "case.view")
        return Response(s.PlanItemSerializer(selectors.plan_of(case), many=True).data)

    @extend_schema(request=s.PlanItemWriteSerializer, responses={201: s.PlanItemSerializer})
    def post(self, request: Request, uuid: Any) -> Response:
        actor = actor_of_request(request)
        case = selectors.get_case_for(actor, uuid, "case.change")
        body = s.PlanItemWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        if "need" not in d:
            raise Invalid("Say which need.", code="need_required")
        code = d.pop("responsible_organisation", "")
        if code:
            d["responsible_organisation"] = _org(code)
        item = services.add_plan_item(
            actor.with_organisation(case.organisation_id), case, d.pop("need"), **d
        )
        return Response(s.PlanItemSerializer(item).data, status=201)


class PlanItemView(APIView):
    required_permission = "case.change"

    @extend_schema(request=s.PlanItemWriteSerializer, responses=s.PlanItemSerializer)
    def patch(self, request: Request, uuid: Any) -> Response:
        actor = actor_of_request(request)
        item = selectors.get_plan_item_for(actor, uuid)
        body = s.PlanItemWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        d.pop("need", None)
        code = d.pop("responsible_organisation", None)
        if code:
            d["responsible_organisation"] = _org(code)
        item = services.update_plan_item(actor.with_organisation(item.organisation_id), item, **d)
        return Response(s.PlanItemSerializer(item).data)


class ClosureView(APIView):
    required_permission = "case.change"

    @extend_schema(request=s.ClosureSerializer, responses={201: dict})
    def post(self, request: Request, uuid: Any) -> Response:
        actor = actor_of_request(request)
        case = selectors.get_case_for(actor, uuid, "case.change")
        body = s.ClosureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        closure = services.close_case(
            actor.with_organisation(case.organisation_id), case, **body.validated_data
        )
        return Response({"reason": closure.reason, "closed_at": closure.closed_at}, status=201)


class NonPunishmentView(APIView):
    required_permissions = {"GET": "case.view", "PUT": "case.change"}

    @extend_schema(responses=s.NonPunishmentSerializer)
    def get(self, request: Request, uuid: Any) -> Response:
        case = selectors.get_case_for(actor_of_request(request), uuid, "case.view")
        obj = selectors.non_punishment_of(case)
        return Response(s.NonPunishmentSerializer(obj).data if obj else {})

    @extend_schema(request=s.NonPunishmentSerializer, responses=s.NonPunishmentSerializer)
    def put(self, request: Request, uuid: Any) -> Response:
        actor = actor_of_request(request)
        case = selectors.get_case_for(actor, uuid, "case.change")
        body = s.NonPunishmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        obj = services.assess_non_punishment(
            actor.with_organisation(case.organisation_id), case, **body.validated_data
        )
        return Response(s.NonPunishmentSerializer(obj).data)


class NotificationsView(APIView):
    """The acting organisation's referral notices, newest first, in the reader's language."""

    required_permission = "referral.manage"

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", bool, description="only notices not yet read"),
            OpenApiParameter("organisation", str, description="organisation code"),
        ],
        responses=s.NotificationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        actor = _actor(request, "referral.manage", request.query_params.get("organisation"))
        unread = request.query_params.get("unread") in ("1", "true", "yes")
        qs = notifications.for_organisation(actor, unread_only=unread)[:200]
        return Response(
            s.NotificationSerializer([notifications.as_dict(n) for n in qs], many=True).data
        )

    @extend_schema(request=s.MarkReadSerializer, responses={200: s.MarkedSerializer})
    def post(self, request: Request) -> Response:
        """Mark notices read: the ids given, or every unread one when ``ids`` is absent."""
        body = s.MarkReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actor = _actor(request, "referral.manage", request.query_params.get("organisation"))
        ids = body.validated_data.get("ids")
        return Response({"marked": notifications.mark_read(actor, ids)})
