"""Reads with permission checks: ``visible_*`` and ``get_*_for`` (never reveal what exists
in an organisation the actor may not see: NotFound, not Forbidden)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vigie.cases.models import Case
from vigie.core import access
from vigie.core.actor import Actor
from vigie.core.audit import record_access
from vigie.core.errors import NotFound
from vigie.identification.models import (
    Closure,
    Consent,
    Interview,
    NonPunishment,
    PlanItem,
    Service,
)

INTERVIEW = "identification.interview"
PERSON_FIELDS = (
    "given_name", "family_name", "sex", "age", "citizenship", "displacement_status", "country",
)  # fmt: skip


def _in_orgs(
    qs: QuerySet[Any], actor: Actor, perm: str, field: str = "organisation_id"
) -> QuerySet[Any]:
    orgs = actor.organisations_with(perm)
    return qs if orgs is access.ALL else qs.filter(**{f"{field}__in": sorted(orgs)})


def visible_interviews(actor: Actor) -> QuerySet[Interview]:
    return _in_orgs(Interview.objects.all(), actor, INTERVIEW)


def get_interview_for(actor: Actor, uuid: Any) -> Interview:
    interview = visible_interviews(actor).filter(uuid=uuid).first()
    if interview is None:
        raise NotFound(_("No such interview."), code="interview_not_found")
    return interview


def interview_person(actor: Actor, interview: Interview) -> dict[str, Any]:
    """The person's details for the interview form: names only for roles that may see
    identities, and then every showing is in the access log."""
    out = {k: getattr(interview, k) for k in PERSON_FIELDS}
    names = [k for k in ("given_name", "family_name") if out.get(k)]
    if names and actor.has_perm("victim.identity.view", interview.organisation_id):
        record_access(
            actor,
            "view",
            "identification.interview",
            str(interview.uuid),
            names,
            organisation_code=interview.organisation.code,  # its auditors see the view
        )
    else:
        for k in names:
            out[k] = ""
    return out


def get_case_for(actor: Actor, uuid: Any, perm: str = "case.view") -> Case:
    case = (
        _in_orgs(Case.objects.select_related("organisation"), actor, perm).filter(uuid=uuid).first()
    )
    if case is None:
        raise NotFound(_("No such case."), code="case_not_found")
    return case


def consents_of(case: Case) -> QuerySet[Consent]:
    return Consent.objects.filter(case=case).select_related("recipient", "recorded_by")


def plan_of(case: Case) -> QuerySet[PlanItem]:
    return PlanItem.objects.filter(case=case).select_related(
        "responsible_organisation", "assigned_to"
    )


def closure_of(case: Case) -> Closure | None:
    return Closure.objects.filter(case=case).select_related("closed_by").first()


def get_plan_item_for(actor: Actor, uuid: Any, perm: str = "case.change") -> PlanItem:
    item = _in_orgs(PlanItem.objects.all(), actor, perm).filter(uuid=uuid).first()
    if item is None:
        raise NotFound(_("No such plan item."), code="plan_item_not_found")
    return item


def non_punishment_of(case: Case) -> NonPunishment | None:
    return NonPunishment.objects.filter(case=case).first()


def get_service(uuid: Any) -> Service:
    service = Service.objects.filter(uuid=uuid).prefetch_related("areas").first()
    if service is None:
        raise NotFound(_("No such service."), code="service_not_found")
    return service


def statistics_withheld(case_ids: list[int]) -> tuple[set[int], set[int]]:
    """The cases, and the victims, whose consent to use in statistics is refused or withdrawn
    (the latest decision for each; never asked counts as not withheld, ADR 0702): the
    statistics snapshot leaves their rows out."""
    latest: dict[tuple[int, int | None], str] = {}
    rows = (
        Consent.objects.filter(case_id__in=case_ids, purpose=Consent.Purpose.STATISTICS)
        .order_by("recorded_at", "id")
        .values_list("case_id", "victim_id", "decision")
    )
    for case_id, victim_id, decision in rows:
        latest[(case_id, victim_id)] = decision
    no = (Consent.Decision.REFUSED, Consent.Decision.WITHDRAWN)
    cases = {c for (c, v), d in latest.items() if v is None and d in no}
    victims = {v for (c, v), d in latest.items() if v is not None and d in no}
    return cases, victims
