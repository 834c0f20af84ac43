"""Identification's rows of the authorization matrix (see vigie.testing)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from vigie.cases.models import Case
from vigie.core.models import Organisation
from vigie.testing import LOGGED_IN, Endpoint, World


def _cached(world: World, key: str, make: Any) -> Any:
    if key not in world.objects:
        world.objects[key] = make()
    return world.objects[key]


def make_case(world: World, org: Organisation) -> Case:
    return _cached(
        world,
        f"ident-case-{org.code}",
        lambda: Case.objects.create(
            organisation=org, reference=f"IM-{org.code}", source_type="mrm"
        ),
    )


def _case(world: World, org: Organisation) -> dict[str, Any]:
    return {"uuid": make_case(world, org).uuid}


def _interview(world: World, org: Organisation) -> dict[str, Any]:
    from vigie.identification.models import Interview

    return {
        "uuid": _cached(
            world, f"interview-{org.code}", lambda: Interview.objects.create(organisation=org)
        ).uuid
    }


def _referral(world: World, org: Organisation) -> dict[str, Any]:
    from vigie.identification.models import Referral

    def make() -> Referral:
        third, _ = Organisation.objects.get_or_create(code="matrix-recv", defaults={"name": "Recv"})
        return Referral.objects.create(
            organisation=org,
            receiving_organisation=third,
            case=make_case(world, org),
            service_type="medical",
            sent_at=timezone.now(),
            snapshot="{}",
        )

    return {"uuid": _cached(world, f"referral-{org.code}", make).uuid}


def _plan_item(world: World, org: Organisation) -> dict[str, Any]:
    from vigie.identification.models import PlanItem

    def make() -> PlanItem:
        return PlanItem.objects.create(organisation=org, case=make_case(world, org), need="medical")

    return {"uuid": _cached(world, f"plan-{org.code}", make).uuid}


INTERVIEW = "identification.interview"
REFER = "referral.manage"

ENDPOINTS = [
    Endpoint("identification:interviews", perm=INTERVIEW),
    Endpoint("identification:interviews", "POST", perm=INTERVIEW, data={}),
    Endpoint("identification:interview", perm=INTERVIEW, target=_interview),
    Endpoint("identification:interview", "POST", perm=INTERVIEW, target=_interview, data={}),
    Endpoint("identification:decide", "POST", perm=INTERVIEW, target=_interview, data={}),
    Endpoint("identification:refer", perm=REFER, target=_case),
    Endpoint("identification:refer", "POST", perm=REFER, target=_case, data={}),
    Endpoint("identification:referral", perm=REFER, target=_referral),
    Endpoint("identification:referral", "POST", perm=REFER, target=_referral, data={}),
    Endpoint("identification:services", perm=LOGGED_IN),
    Endpoint("identification:caseload", perm=REFER),
    Endpoint("identification-api:indicators", perm=INTERVIEW),
    Endpoint("identification-api:interviews", perm=INTERVIEW),
    Endpoint("identification-api:interviews", "POST", perm=INTERVIEW, data={}),
    Endpoint("identification-api:interview", perm=INTERVIEW, target=_interview),
    Endpoint("identification-api:interview", "PATCH", perm=INTERVIEW, target=_interview, data={}),
    Endpoint("identification-api:decide", "POST", perm=INTERVIEW, target=_interview, data={}),
    Endpoint("identification-api:consents", perm=REFER, target=_case),
    Endpoint("identification-api:consents", "POST", perm=REFER, target=_case, data={}),
    Endpoint("identification-api:routes", perm=REFER, target=_case),
    Endpoint("identification-api:plan", perm="case.view", target=_case),
    Endpoint("identification-api:plan", "POST", perm="case.change", target=_case, data={}),
    Endpoint("identification-api:closure", "POST", perm="case.change", target=_case, data={}),
    Endpoint("identification-api:non-punishment", perm="case.view", target=_case),
    Endpoint("identification-api:non-punishment", "PUT", perm="case.change", target=_case, data={}),
    Endpoint(
        "identification-api:plan-item", "PATCH", perm="case.change", target=_plan_item, data={}
    ),
    Endpoint("identification-api:services", perm=LOGGED_IN),
    Endpoint("identification-api:services", "POST", perm="services.manage", data={}),
    Endpoint("identification-api:referrals", perm=REFER),
    Endpoint("identification-api:referrals", "POST", perm=REFER, data={}),
    Endpoint("identification-api:referral", perm=REFER, target=_referral),
    Endpoint("identification-api:transition", "POST", perm=REFER, target=_referral, data={}),
    Endpoint("identification-api:caseload", perm=REFER),
    Endpoint("identification-api:notifications", perm=REFER),
    Endpoint("identification-api:notifications", "POST", perm=REFER, data={}),
    Endpoint("identification-api:statistics", perm="stats.view"),
]
