"""Triage through the API and the pages; only the owning FIU's analysts see its alerts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.core.actor import Actor
from vigie.core.models import AccessLogEntry, Membership, User
from vigie.finance import mapping, services
from vigie.finance.cli import finance
from vigie.finance.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(world: Any, analyst: Actor, planted: tuple[Path, dict[str, str]]) -> list[Alert]:
    path, _ = planted
    services.import_transactions(analyst, world.own, path, mapping.IDENTITY_MAPPING)
    services.run_rules(analyst, world.own)
    return list(Alert.objects.all())


def test_api_triage_backtests_each_rule(world: Any, api: Any, alerts: list[Alert]) -> None:
    client = api(world.users["financial_analyst"])
    listed = client.get("/api/finance/alerts/?status=open").json()
    assert listed["count"] == len(alerts)
    first, second = alerts[0], alerts[1]
    no_reason = client.post(
        f"/api/finance/alerts/{first.pk}/decision/", {"status": "false_positive"}, format="json"
    )
    assert no_reason.status_code == 400
    assert no_reason["Content-Type"] == "application/problem+json"
    assert no_reason.json()["code"] == "note_required"
    ok = client.post(
        f"/api/finance/alerts/{first.pk}/decision/",
        {"status": "false_positive", "note": "a market stall's takings"},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "false_positive"
    esc = client.post(
        f"/api/finance/alerts/{second.pk}/decision/", {"status": "escalated"}, format="json"
    )
    assert esc.status_code == 200
    xml = client.get(f"/api/finance/alerts/{second.pk}/goaml/")
    assert xml.status_code == 200 and b"<report_code>STR</report_code>" in xml.content
    reported = client.post(
        f"/api/finance/alerts/{second.pk}/decision/", {"status": "reported"}, format="json"
    )
    assert reported.json()["status"] == "reported"
    again = client.post(
        f"/api/finance/alerts/{second.pk}/decision/", {"status": "escalated"}, format="json"
    )
    assert again.status_code == 409
    # the backtesting of each rule (issue 21), from the command line
    user = world.users["financial_analyst"].username
    out = CliRunner().invoke(finance, ["precision", "--user", user, "--json"])
    assert out.exit_code == 0, out.output
    decided = {row["rule"]: row for row in json.loads(out.output)}
    assert decided[first.rule]["false_positive"] >= 1
    assert decided[second.rule]["reported"] >= 1
    held = decided[second.rule]["escalated"] + decided[second.rule]["reported"]
    assert decided[second.rule]["precision"] == round(
        held / (held + decided[second.rule]["false_positive"]), 3
    )
    out = CliRunner().invoke(finance, ["precision", "--user", user])
    assert out.exit_code == 0 and second.rule in out.output


def test_another_fiu_sees_nothing(world: Any, api: Any, alerts: list[Alert]) -> None:
    outsider = User.objects.create(username="other-fiu")
    Membership.objects.create(user=outsider, organisation=world.other, role="financial_analyst")
    client = api(outsider)
    body = client.get("/api/finance/alerts/").json()
    assert body["count"] == 0
    assert client.get(f"/api/finance/alerts/{alerts[0].pk}/").status_code == 404
    assert client.get(f"/api/finance/alerts/{alerts[0].pk}/goaml/").status_code == 404


def test_pages_show_the_transactions_and_record_the_view(
    world: Any, web: Any, alerts: list[Alert]
) -> None:
    client = web(world.users["financial_analyst"])
    queue = client.get("/finance/alerts/")
    assert queue.status_code == 200 and b'data-testid="alert"' in queue.content
    alert = next(a for a in alerts if a.rule == "structuring")
    page = client.get(f"/finance/alerts/{alert.pk}/")
    assert page.status_code == 200
    assert alert.account.number.encode() in page.content
    assert AccessLogEntry.objects.filter(object_type="finance.alert", action="view").exists()
    decided = client.post(
        f"/finance/alerts/{alert.pk}/", {"status": "escalated", "note": "cash runs"}, follow=True
    )
    assert decided.status_code == 200
    alert.refresh_from_db()
    assert alert.status == "escalated" and "cash runs" in (alert.notes or "")
    fr = client.get("/finance/alerts/?status=all", HTTP_ACCEPT_LANGUAGE="fr")
    assert fr.status_code == 200
    case_worker = web(world.users["case_manager"])
    assert case_worker.get(f"/finance/alerts/{alert.pk}/").status_code == 403
