"""/api/stats/..., the dashboard pages and the command line, through their real interfaces."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from vigie.analytics import disclosure
from vigie.analytics.cli import commands
from vigie.analytics.engine import Engine, Query
from vigie.analytics.models import PrivacyLedgerEntry
from vigie.analytics.store import Store
from vigie.devtools import analytics_rows
from vigie.testing import World


@pytest.fixture
def snapshot_rows(world: World, tmp_path: Path, settings: Any) -> list[dict[str, Any]]:
    settings.VIGIE_ANALYTICS_DIR = str(tmp_path / "analytics")
    rows = analytics_rows.victim_rows(4000, seed=11)
    for i, r in enumerate(rows):
        r["organisation"] = "own-org" if i % 4 else "other-org"
    perps = analytics_rows.perpetrator_rows(300, seed=11)
    for p in perps:
        p["organisation"] = "own-org"
    Store().replace_all(
        {
            "victims": analytics_rows.victims_table(rows),
            "perpetrators": analytics_rows.perpetrators_table(perps),
        },
        "2026-11-23T00:00:00Z",
    )
    return rows


def test_typology_is_protected_and_scoped(world: World, api: Any, snapshot_rows: Any) -> None:
    res = api(world.users["analyst"]).get(
        "/api/stats/typology/", {"by": "sex,form", "country": "LY"}
    )
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["dimensions"] == ["sex", "form"] and body["method"] == "suppression"
    expected = disclosure.protect(
        Engine(Store()).typology(
            Query(("sex", "form"), {"country": ("LY",)}, organisations=frozenset({"own-org"}))
        )
    )
    got = {(r["sex"], r["form"]): r["count"] for r in body["rows"]}
    want = {
        tuple("_all" if v is None else v for v in c): x.value for c, x in expected.cells.items()
    }
    assert got == want
    own_total = sum(
        r["weight"]
        for r in snapshot_rows
        if r["organisation"] == "own-org" and r["country"] == "LY"
    )
    assert abs(got[("_all", "_all")] - own_total) <= 2


def test_dp_release_needs_publish_and_is_in_the_ledger(
    world: World, api: Any, snapshot_rows: Any
) -> None:
    denied = api(world.users["case_manager"]).get(
        "/api/stats/typology/", {"by": "sex", "mode": "dp"}
    )
    assert denied.status_code == 403
    res = api(world.users["analyst"]).get("/api/stats/trends/", {"mode": "dp", "epsilon": "0.5"})
    assert res.status_code == 200 and res.json()["epsilon"] == 0.5
    entry = PrivacyLedgerEntry.objects.get()
    assert entry.user == world.users["analyst"] and entry.organisation == world.own
    ledger = api(world.users["auditor"]).get("/api/stats/privacy-ledger/")
    assert ledger.status_code == 200 and ledger.json()["results"][0]["epsilon"] == 0.5


def test_bad_requests_are_400_with_the_reason(world: World, api: Any, snapshot_rows: Any) -> None:
    client = api(world.users["analyst"])
    res = client.get("/api/stats/typology/", {"by": "colour"})
    assert res.status_code == 400 and "dimension 'colour'" in json.dumps(res.json())
    res = client.get("/api/stats/typology/", {"period": "last year"})
    assert res.status_code == 400 and "period" in json.dumps(res.json())
    res = client.get("/api/stats/typology/", {"mode": "dp", "epsilon": "-1"})
    assert res.status_code == 400


def test_routes_and_formats(world: World, api: Any, snapshot_rows: Any) -> None:
    client = api(world.users["analyst"])
    body = client.get("/api/stats/routes/").json()
    assert set(body) == {"flows", "route_types", "legs", "transit"}
    kinds = {r["route_type"] for r in body["route_types"]["rows"]}
    assert kinds <= {"domestic", "subregional", "regional", "transregional", "unknown", "_all"}
    csv = client.get("/api/stats/typology/", {"by": "sex", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[0] == "sex,count,suppressed"
    xlsx = client.get("/api/stats/typology/", {"by": "situation", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet["A1"].value == "situation"


@pytest.mark.slow
def test_dashboard_page_data_and_download(world: World, web: Any, snapshot_rows: Any) -> None:
    client = web(world.users["analyst"])
    page = client.get("/stats/", {"period": "2016-2020", "sex": "female"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-panel="form"' in html and 'value="female" selected' in html
    data = client.get("/stats/data/", {"sex": "female"}).json()
    assert data["panels"]["form"]["cells"] and data["sankey"]["links"]
    assert data["map_country"]  # numeric ISO ids for the world map
    dl = client.get("/stats/download/", {"panel": "form", "format": "csv", "sex": "female"})
    assert dl.status_code == 200 and dl.content.startswith(b"form,count,suppressed")
    bad = client.get("/stats/", {"period": "soon"})
    assert bad.status_code == 400 and "period" in bad.content.decode()


@pytest.mark.slow
def test_cli_stats_and_annex(world: World, snapshot_rows: Any, tmp_path: Path) -> None:
    runner = CliRunner()
    group = {c.name: c for c in commands}
    system = ["--as-system"]
    out = runner.invoke(
        group["stats"], ["typology", "--by", "sex", "--filter", "period=2017", *system]
    )
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0] == "sex,count,suppressed"
    bad = runner.invoke(group["stats"], ["typology", "--filter", "colour=red", *system])
    assert bad.exit_code == 2 and "filter 'colour'" in bad.output
    pdf = tmp_path / "annex.pdf"
    res = runner.invoke(
        group["report"], ["annex", "--period", "2017", "--lang", "fr", "-o", str(pdf), *system]
    )
    assert res.exit_code == 0, res.output
    assert pdf.read_bytes().startswith(b"%PDF")
    xlsx = tmp_path / "annex.xlsx"
    res = runner.invoke(
        group["report"],
        ["annex", "--period", "2017", "--format", "xlsx", "-o", str(xlsx), *system],
    )
    assert res.exit_code == 0 and len(load_workbook(xlsx).sheetnames) >= 8
    micro = runner.invoke(group["stats"], ["microdata", *system])
    assert micro.exit_code == 0 and micro.output.startswith("year,situation,country")


def test_cli_says_who_acts_and_applies_their_permissions(world: World, snapshot_rows: Any) -> None:
    """Issue 14: statistics commands take --user NAME [--org CODE] or --as-system (audited);
    a user's permissions and scope apply, and a missing one is exit status 3."""
    from vigie.core.models import AccessLogEntry

    runner = CliRunner()
    stats = {c.name: c for c in commands}["stats"]
    neither = runner.invoke(stats, ["typology", "--by", "sex"])
    assert neither.exit_code == 2 and "--as-system" in neither.output
    own = runner.invoke(stats, ["typology", "--user", "u-analyst"])
    assert own.exit_code == 0, own.output
    everything = runner.invoke(stats, ["typology", "--as-system"])
    # the analyst sees their own organisation's records (3 rows in 4), the system all of them
    mine, total = (int(r.output.splitlines()[1].split(",")[0]) for r in (own, everything))
    assert abs(mine - total * 3 / 4) < total / 20
    entry = AccessLogEntry.objects.filter(action="command").order_by("-seq").first()
    assert entry is not None and entry.detail["actor"].startswith("system (command line")
    # a field officer holds no statistics permission: exit status 3, the permission named
    denied = runner.invoke(stats, ["typology", "--user", "u-field_officer"])
    assert denied.exit_code == 3 and "stats.view" in denied.output
    # DP needs stats.publish: a case manager may view but not publish
    dp = runner.invoke(stats, ["typology", "--mode", "dp", "--user", "u-case_manager"])
    assert dp.exit_code == 3 and "stats.publish" in dp.output
    micro = runner.invoke(stats, ["microdata", "--user", "u-case_manager"])
    assert micro.exit_code == 3 and "stats.publish" in micro.output
    ledger = runner.invoke(stats, ["ledger", "--user", "u-auditor"])
    assert ledger.exit_code == 0, ledger.output


def test_over_budget_and_bad_queries_are_problem_documents(
    world: World, api: Any, snapshot_rows: Any, settings: Any
) -> None:
    settings.VIGIE_DP_BUDGET_USER = 0.5
    client = api(world.users["analyst"])
    ok = client.get("/api/stats/trends/", {"mode": "dp", "epsilon": "0.5"})
    assert ok.status_code == 200
    over = client.get("/api/stats/trends/", {"mode": "dp", "epsilon": "0.5"})
    assert over.status_code == 409
    assert over["Content-Type"].startswith("application/problem+json")
    body = over.json()
    assert body["code"] == "privacy_budget_exceeded" and body["detail"]["scope"] == "user"
    bad = client.get("/api/stats/typology/", {"by": "colour"})
    assert bad.status_code == 400 and bad.json()["code"] == "query_invalid"
