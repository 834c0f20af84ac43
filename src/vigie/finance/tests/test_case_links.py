"""Accounts linked to cases and their people; the case page's financial panel in full for the
unit's analysts and reduced to "who to ask" for the case's other readers."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.cases.models import Case, Perpetrator, Victim
from vigie.core.models import Membership
from vigie.finance.models import Account, Alert, CaseLink
from vigie.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    case = Case.objects.create(organisation=world.own, reference="FIN-CASE-1", country="LY")
    perp = Perpetrator.objects.create(case=case, name="Synthetic Smuggler")
    victim = Victim.objects.create(case=case, sex="female")
    account = Account.objects.create(
        organisation=world.own, number="LY-SYN-0001", number_key="k-syn-1", country="LY",
        score=0.91,
    )  # fmt: skip
    Alert.objects.create(
        organisation=world.own, account=account, rule="pass_through", rule_version=1,
        typology="laundering", status=Alert.Status.REPORTED,
    )  # fmt: skip
    Alert.objects.create(
        organisation=world.own, account=account, rule="structuring", rule_version=1,
        typology="structuring",
    )  # fmt: skip
    # one user who analyses transactions and reads cases (both roles in the organisation)
    analyst = world.users["financial_analyst"]
    Membership.objects.get_or_create(user=analyst, organisation=world.own, role="investigator")
    return {"case": case, "perp": perp, "victim": victim, "account": account, "analyst": analyst}


def test_link_to_a_perpetrator_and_the_full_panel(
    world: World, api: Any, web: Any, setup: dict[str, Any]
) -> None:
    client = api(setup["analyst"])
    url = f"/api/finance/accounts/{setup['account'].pk}/links/"
    r = client.post(
        url,
        {"case": str(setup["case"].uuid), "party": "perpetrator", "person": str(setup["perp"].uuid),
         "basis": "holder", "note": "holder matches"},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["party"] == "perpetrator" and r.json()["person"] == str(setup["perp"].uuid)
    again = client.post(
        url,
        {
            "case": str(setup["case"].uuid),
            "party": "perpetrator",
            "person": str(setup["perp"].uuid),
        },
        format="json",
    )
    assert again.status_code == 409
    # a person of another case, or a victim uuid given as perpetrator, is refused
    wrong = client.post(
        url,
        {"case": str(setup["case"].uuid), "party": "perpetrator",
         "person": str(setup["victim"].uuid)},
        format="json",
    )  # fmt: skip
    assert wrong.status_code == 400 and wrong.json()["code"] == "person_not_in_case"
    panel = client.get(f"/api/finance/cases/{setup['case'].uuid}/panel/").json()
    assert panel["count"] == 1 and panel["held_elsewhere"] == []
    (row,) = panel["accounts"]
    assert (row["account"], row["alerts"], row["open_alerts"], row["reported"]) == (
        setup["account"].pk, 2, 1, 1,
    )  # fmt: skip
    page = web(setup["analyst"]).get(f"/cases/{setup['case'].uuid}/").content.decode()
    assert 'data-testid="finance-account"' in page and "LY-SYN-0001" not in page


def test_a_case_worker_sees_only_who_to_ask(
    world: World, api: Any, web: Any, setup: dict[str, Any]
) -> None:
    CaseLink.objects.create(organisation=world.own, account=setup["account"], case=setup["case"])
    worker = world.users["case_manager"]
    panel = api(worker).get(f"/api/finance/cases/{setup['case'].uuid}/panel/").json()
    assert panel == {"count": 1, "accounts": [], "held_elsewhere": [world.own.name]}
    page = web(worker).get(f"/cases/{setup['case'].uuid}/").content.decode()
    assert 'data-testid="finance-held-elsewhere"' in page
    assert 'data-testid="finance-account"' not in page and "0.91" not in page


def test_no_link_to_a_case_the_analyst_cannot_read(world: World, api: Any) -> None:
    hidden = Case.objects.create(organisation=world.other, reference="OTHER-CASE")
    account = Account.objects.create(organisation=world.own, number="X-1", number_key="x1")
    plain = world.users["financial_analyst"]  # no case.view anywhere
    r = api(plain).post(
        f"/api/finance/accounts/{account.pk}/links/", {"case": str(hidden.uuid)}, format="json"
    )
    assert r.status_code == 404 and not CaseLink.objects.exists()
    # and an account of another unit cannot be linked at all
    theirs = Account.objects.create(organisation=world.other, number="Y-1", number_key="y1")
    r = api(plain).post(
        f"/api/finance/accounts/{theirs.pk}/links/", {"case": str(hidden.uuid)}, format="json"
    )
    assert r.status_code == 404


def test_unlink(world: World, api: Any, setup: dict[str, Any]) -> None:
    made = CaseLink.objects.create(
        organisation=world.own, account=setup["account"], case=setup["case"]
    )
    worker = api(world.users["case_manager"])
    assert worker.delete(f"/api/finance/links/{made.pk}/").status_code in (403, 404)
    assert api(setup["analyst"]).delete(f"/api/finance/links/{made.pk}/").status_code == 204
    assert not CaseLink.objects.exists()
