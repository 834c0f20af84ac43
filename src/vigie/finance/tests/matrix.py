"""Finance's rows of the authorization matrix (see vigie.testing)."""

from __future__ import annotations

from typing import Any

from vigie.core.models import Organisation
from vigie.testing import Endpoint, World


def make_alert(world: World, org: Organisation) -> Any:
    from vigie.finance.models import Account, Alert

    key = f"finance-alert-{org.code}"
    if key not in world.objects:
        account = Account.objects.create(
            organisation=org, number=f"ACC-{org.code}", number_key=org.code
        )
        world.objects[key] = Alert.objects.create(
            organisation=org,
            account=account,
            rule="structuring",
            rule_version=1,
            typology="structuring",
            facts={"count": 3},
        )
    return world.objects[key]


def _alert(world: World, org: Organisation) -> dict[str, Any]:
    return {"pk": make_alert(world, org).pk}


JOB = {"pk": "00000000-0000-4000-8000-000000000002"}

ENDPOINTS = [
    Endpoint("finance:alerts", perm="finance.view"),
    Endpoint("finance:alert", perm="finance.view", target=_alert),
    Endpoint("finance:alert", "POST", perm="finance.view", target=_alert, data={"assign": "me"}),
    Endpoint("finance:goaml", perm="finance.report", target=_alert),
    Endpoint("finance:imports", perm="finance.view"),
    Endpoint("finance:imports", "POST", perm="finance.view", data={}),
    Endpoint("finance:job", perm="finance.view", kwargs=JOB),
    Endpoint("finance-api:alerts", perm="finance.view"),
    Endpoint("finance-api:alert", perm="finance.view", target=_alert),
    Endpoint(
        "finance-api:decide",
        "POST",
        perm="finance.view",
        target=_alert,
        data={"status": "escalated", "note": "n"},
    ),
    Endpoint(
        "finance-api:assign", "POST", perm="finance.view", target=_alert, data={"assignee": None}
    ),
    Endpoint("finance-api:goaml", perm="finance.report", target=_alert),
    Endpoint("finance-api:files", perm="finance.view"),
    Endpoint("finance-api:files", "POST", perm="finance.import", data={}),
    Endpoint("finance-api:run", "POST", perm="finance.view", data={}),
]


def _account(world: World, org: Organisation) -> dict[str, Any]:
    return {"pk": make_alert(world, org).account_id}


def _link(world: World, org: Organisation) -> dict[str, Any]:
    from vigie.cases.models import Case
    from vigie.finance.models import CaseLink

    key = f"finance-link-{org.code}"
    if key not in world.objects:
        case = Case.objects.create(organisation=org, reference=f"FIN-LINK-{org.code}")
        world.objects[key] = CaseLink.objects.create(
            organisation=org, account=make_alert(world, org).account, case=case
        )
    return {"pk": world.objects[key].pk}


def _case(world: World, org: Organisation) -> dict[str, Any]:
    from vigie.cases.models import Case

    key = f"finance-case-{org.code}"
    if key not in world.objects:
        world.objects[key] = Case.objects.create(organisation=org, reference=f"FIN-{org.code}")
    return {"uuid": world.objects[key].uuid}


ENDPOINTS += [
    Endpoint("finance-api:rfi", "POST", perm="finance.report", target=_alert, data={}),
    Endpoint("finance-api:account-links", "POST", perm="finance.view", target=_account, data={}),
    Endpoint("finance-api:link", "DELETE", perm="finance.view", target=_link),
    Endpoint("finance-api:case-panel", perm="case.view", target=_case),
    Endpoint("finance-api:case-goaml", perm="finance.report", target=_case),
]
