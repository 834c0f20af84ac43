"""Referring a victim to a service needs ``referral.manage`` beside the right to change the
case: a role without it (an agency's own roles file) edits the case and keeps its referrals,
through the API and the case form; an import is not a referral."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from vigie.cases.models import Case, Referral
from vigie.cases.tests.conftest import RECORD
from vigie.core import roles
from vigie.testing import World


@pytest.fixture
def officer_cannot_refer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The field officer's role without ``referral.manage``."""
    data = yaml.safe_load(roles.ROLES_FILE.read_text(encoding="utf-8"))
    data["roles"]["field_officer"]["permissions"].remove("referral.manage")
    custom = tmp_path / "roles.yaml"
    custom.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(roles, "ROLES_FILE", custom)
    roles.catalogue.cache_clear()
    yield
    roles.catalogue.cache_clear()


def _with_referral(api: Any, world: World) -> str:
    response = api(world.users["case_manager"]).post("/api/cases/", RECORD, format="json")
    assert response.status_code == 201, response.json()
    return str(response.json()["uuid"])


def test_api_refuses_referrals_from_a_role_that_may_not_refer(
    api: Any, world: World, officer_cannot_refer: Any
) -> None:
    officer = api(world.users["field_officer"])
    refused = officer.post("/api/cases/", RECORD, format="json")
    assert refused.status_code == 403
    assert "referral.manage" in refused.json()["title"]
    assert not Case.objects.filter(reference=RECORD["reference"]).exists()

    uuid = _with_referral(api, world)
    changed = officer.patch(f"/api/cases/{uuid}/", {"summary": "Seen again"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert [r["service"] for r in changed.json()["referrals"]] == ["psychosocial"]

    record = copy.deepcopy(officer.get(f"/api/cases/{uuid}/").json())
    response = officer.patch(f"/api/cases/{uuid}/", {"referrals": []}, format="json")
    assert response.status_code == 403
    added = [*record["referrals"], {"service": "legal", "status": "proposed"}]
    response = officer.patch(f"/api/cases/{uuid}/", {"referrals": added}, format="json")
    assert response.status_code == 403
    assert list(Referral.objects.filter(case__uuid=uuid).values_list("service", flat=True)) == [
        "psychosocial"
    ]
    manager = api(world.users["case_manager"])
    response = manager.patch(f"/api/cases/{uuid}/", {"referrals": added}, format="json")
    assert response.status_code == 200, response.json()
    assert Referral.objects.filter(case__uuid=uuid).count() == 2


def _form_fields(page: str) -> dict[str, str]:
    """The values a browser would post back from the case form (text inputs and selects)."""
    data: dict[str, str] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data.setdefault(name, value)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_case_form_of_a_role_that_may_not_refer_keeps_the_referrals(
    api: Any, web: Any, world: World, officer_cannot_refer: Any
) -> None:
    uuid = _with_referral(api, world)
    client = web(world.users["field_officer"])
    page = client.get(f"/cases/{uuid}/edit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="no-referral-rights"' in page
    assert "ref-TOTAL_FORMS" not in page
    data = _form_fields(page) | {"summary": "Seen again at the clinic"}
    data.pop("csrfmiddlewaretoken", None)
    response = client.post(f"/cases/{uuid}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(uuid=uuid)
    assert case.summary == "Seen again at the clinic"
    assert list(case.referrals.values_list("service", flat=True)) == ["psychosocial"]

    # a hand-made post with referral rows changes nothing either
    forged = data | {"ref-TOTAL_FORMS": "1", "ref-INITIAL_FORMS": "0", "ref-0-service": "shelter"}
    assert client.post(f"/cases/{uuid}/edit/", forged).status_code == 302
    assert list(case.referrals.values_list("service", flat=True)) == ["psychosocial"]

    manager = web(world.users["case_manager"])
    page = manager.get(f"/cases/{uuid}/edit/").content.decode()
    assert "ref-TOTAL_FORMS" in page and 'data-testid="no-referral-rights"' not in page
