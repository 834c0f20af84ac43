"""Case plan, closure, non-punishment, and the caseload page (fixed query count)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.identification import referrals
from vigie.identification.models import PlanItem, Referral
from vigie.identification.tests.conftest import give
from vigie.testing import World

pytestmark = pytest.mark.django_db


def test_plan_closure_and_non_punishment(world: World, api: Any, case: Case) -> None:
    user = world.users["case_manager"]
    plan = f"/api/identification/cases/{case.uuid}/plan/"
    r = api(user).post(
        plan,
        {
            "need": "shelter",
            "follow_up_date": "2026-01-10",
            "responsible_organisation": "other-org",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    item = r.json()
    assert item["responsible_organisation"] == "other-org" and item["status"] == "planned"
    r = api(user).patch(
        f"/api/identification/plan-items/{item['uuid']}/", {"status": "done"}, format="json"
    )
    assert r.json()["status"] == "done" and r.json()["done_date"]
    api(user).post(plan, {"need": "medical"}, format="json")
    assert api(user).post(plan, {"need": "spaceship"}, format="json").status_code == 400
    np_url = f"/api/identification/cases/{case.uuid}/non-punishment/"
    r = api(user).put(
        np_url,
        {
            "compelled_offences": ["irregular_entry", "association_with_armed_group"],
            "detained": True,
            "released_from_armed_group": True,
            "checklist": {"assessed_individually": True},
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["alert"] is True
    assert api(user).put(np_url, {"checklist": {"made_up": True}}, format="json").status_code == 400
    r = api(user).post(
        f"/api/identification/cases/{case.uuid}/closure/",
        {"reason": "plan_completed"},
        format="json",
    )
    assert r.status_code == 201
    statuses = sorted(PlanItem.objects.filter(case=case).values_list("status", flat=True))
    assert statuses == ["cancelled", "done"]  # open items are cancelled at closure
    assert (
        api(user)
        .post(
            f"/api/identification/cases/{case.uuid}/closure/",
            {"reason": "plan_completed"},
            format="json",
        )
        .status_code
        == 409
    )


def _referrals(world: World, case: Case, receiver: Any, n: int) -> None:
    officer = Actor(world.users["field_officer"], world.own.pk)
    for i in range(n):
        ref = referrals.create_referral(
            officer, case, receiver[0], ["sex"], service_type="medical", urgency="high"
        )
        if i % 2:
            Referral.objects.filter(pk=ref.pk).update(due_at=timezone.now() - dt.timedelta(hours=i))
        if i % 3 == 0:
            referrals.move(Actor(receiver[1], receiver[0].pk), ref, "accepted")
    PlanItem.objects.create(
        organisation=world.own, case=case, need="medical", assigned_to=world.users["field_officer"],
        follow_up_date=timezone.localdate() - dt.timedelta(days=n),
    )  # fmt: skip


def test_caseload_counts_and_constant_queries(
    world: World, web: Any, case: Case, receiver: Any, django_assert_max_num_queries: Any
) -> None:
    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral")
    _referrals(world, case, receiver, 3)
    client = web(world.users["field_officer"])
    client.get("/caseload/")  # warm caches (session, grants)
    with django_assert_max_num_queries(18) as small:
        page = client.get("/caseload/")
    _referrals(world, case, receiver, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get("/caseload/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="overdue"' in html
    r = web(receiver[1]).get("/caseload/")
    assert "recv-org" in r.content.decode()


def test_caseload_api_figures(world: World, api: Any, case: Case, receiver: Any) -> None:
    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral")
    _referrals(world, case, receiver, 4)
    got = api(world.users["field_officer"]).get("/api/caseload/").json()
    # i=0 and i=3 accepted (a new deadline); i=1 waiting and late; i=2 waiting in time
    assert got["sent_waiting"] == 2 and got["sent_overdue"] == 1
    assert got["follow_ups_overdue"] == 1 and got["answer_hours"] is not None
    recv = api(receiver[1]).get("/api/caseload/").json()
    assert recv["received_waiting"] == 2 and recv["received_overdue"] == 1


def test_plan_and_non_punishment_on_the_case_page(world: World, web: Any, case: Case) -> None:
    client = web(world.users["field_officer"])
    url = f"/referrals/case/{case.uuid}/"
    r = client.post(url, {"action": "plan", "need": "legal_aid", "follow_up_date": "2026-01-05"})
    assert r.status_code == 302
    r = client.post(
        url,
        {
            "action": "non_punishment",
            "compelled_offences": "irregular entry, theft",
            "detained": "on",
            "checklist": ["assessed_individually", "legal_counsel_offered"],
        },
    )
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="np-alert"' in page and "legal_aid" in page
    assert 'value="irregular entry, theft"' in page
    # an analyst may not refer, so cannot reach the page at all
    assert web(world.users["analyst"]).get(url).status_code == 403


def test_referral_statistics_are_disclosure_controlled(
    world: World, api: Any, case: Case, receiver: Any
) -> None:
    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral")
    recv = Actor(receiver[1], receiver[0].pk)
    for _ in range(14):
        ref = referrals.create_referral(officer, case, receiver[0], ["sex"], service_type="medical")
        referrals.move(recv, ref, "accepted")
    for _ in range(3):  # a small cell
        referrals.create_referral(officer, case, receiver[0], ["sex"], service_type="legal_aid")
    got = api(world.users["analyst"]).get("/api/referrals/statistics/").json()
    cells = {(c["service"], c["state"]): c for c in got["cells"]}
    assert (
        cells[("legal_aid", "sent")]["suppressed"] is True
        and cells[("legal_aid", "sent")]["count"] is None
    )
    published = [c["count"] for c in got["cells"] if c["count"]]
    assert published and min(published) >= got["k"]  # no small count leaves
    assert abs(cells[("_all", "_all")]["count"] - 17) <= 2  # perturbed by at most 2
    turnaround = {t["service"]: t for t in got["turnaround"]}
    assert (
        turnaround["medical"]["suppressed"] is False
        and turnaround["legal_aid"]["suppressed"] is True
    )
    assert api(world.users["field_officer"]).get("/api/referrals/statistics/").status_code == 403


def test_plan_followed_up_and_case_closed_on_the_page(world: World, web: Any, case: Case) -> None:
    client = web(world.users["case_manager"])
    client.cookies["django_language"] = "en"
    url = f"/referrals/case/{case.uuid}/"
    r = client.post(url, {"action": "plan", "need": "psychosocial", "follow_up_date": "2026-02-01"})
    assert r.status_code == 302
    item = PlanItem.objects.get(case=case)
    page = client.get(url).content.decode()
    assert "Psychosocial support" in page and 'data-testid="update-plan-item"' in page
    prefix = f"p{item.pk}"
    r = client.post(
        url,
        {
            "action": "plan_update",
            "prefix": prefix,
            f"{prefix}-item": str(item.uuid),
            f"{prefix}-status": "in_progress",
            f"{prefix}-follow_up_date": "2026-03-01",
            f"{prefix}-due_date": "2026-04-01",
        },
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.status, str(item.follow_up_date), str(item.due_date)) == (
        "in_progress",
        "2026-03-01",
        "2026-04-01",
    )
    bad = client.post(
        url,
        {
            "action": "plan_update",
            "prefix": prefix,
            f"{prefix}-item": str(item.uuid),
            f"{prefix}-status": "teleported",
        },
    )
    assert bad.status_code == 400
    item.refresh_from_db()
    assert item.status == "in_progress"  # nothing written by a refused form
    r = client.post(url, {"action": "close", "reason": "plan_completed", "note": "done"})
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="closed"' in page and "case plan completed" in page
    assert 'data-testid="update-plan-item"' not in page  # a closed case's plan is read-only here


def test_plan_item_of_another_case_cannot_be_changed_through_this_page(
    world: World, web: Any, case: Case
) -> None:
    other = Case.objects.create(organisation=case.organisation, reference="OTHER-1")
    item = PlanItem.objects.create(organisation=case.organisation, case=other, need="medical")
    client = web(world.users["case_manager"])
    prefix = "px"
    r = client.post(
        f"/referrals/case/{case.uuid}/",
        {
            "action": "plan_update",
            "prefix": prefix,
            f"{prefix}-item": str(item.uuid),
            f"{prefix}-status": "cancelled",
        },
    )
    assert r.status_code == 400
    item.refresh_from_db()
    assert item.status == "planned"
