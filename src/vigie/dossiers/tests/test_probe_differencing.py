"""Probe (issue 15 "averaged differencing", ADR 0053): a dossier's case breakdown may not
tell a reader how many of another organisation's cases it holds when they are few.

The section printed the exact number of linked cases, and each cell was perturbed over all
linked cases: a panel expert who links cases of their own organisation one at a time (each
link gives the cell new noise) and subtracts them averaged the noise away and learnt that
another organisation linked five cases in Niger."""

from __future__ import annotations

import datetime as dt
from statistics import mean
from typing import Any

import pytest

from vigie.cases.models import Case, Perpetrator
from vigie.core.models import Membership, Organisation, User
from vigie.dossiers.tests.test_api import build
from vigie.testing import World

pytestmark = pytest.mark.django_db
HIDDEN = 5  # the other organisation's cases in Niger


def _case(org: Organisation, ref: str, country: str) -> Case:
    case = Case.objects.create(
        organisation=org,
        reference=ref,
        source_type="case_management",
        country=country,
        event_year=2017,
        event_date_start=dt.date(2017, 3, 1),
    )
    Perpetrator.objects.create(case=case, kind="person", name="Synthetic Trafficker")
    return case


def _cases_section(client: Any, base: str) -> dict[str, Any]:
    body = client.get(base).json()
    return next(s for s in body["sections"] if s["code"] == "cases")["data"]


def test_probe_padding_a_dossier_with_own_cases_recovers_no_small_count(
    api: Any, world: World, cases: list[Case]
) -> None:
    expert = world.users["panel_expert"]
    d = build(api, world, cases[:1])
    # a member of both organisations links the other organisation's cases in Niger
    linker = User.objects.create_user(username="linker", password="correct-horse-battery")
    Membership.objects.create(user=linker, organisation=world.own, role="panel_expert")
    Membership.objects.create(user=linker, organisation=world.other, role="case_manager")
    for i in range(HIDDEN):
        case = _case(world.other, f"OT-{i}", "NE")
        sent = api(linker).post(d["base"] + "cases/", {"case": str(case.uuid)}, format="json")
        assert sent.status_code == 201, sent.content
    section = _cases_section(api(expert), d["base"])
    assert section["linked"] != 1 + HIDDEN, "the exact total less the own cases"
    # the expert links own cases in Niger one at a time and subtracts them from the cell
    estimates = []
    for i in range(16):
        case = _case(world.own, f"PAD-{i}", "NE")
        api(expert).post(d["base"] + "cases/", {"case": str(case.uuid)}, format="json")
        cells = {
            (b["by"], b["value"]): b for b in _cases_section(api(expert), d["base"])["breakdown"]
        }
        published = cells[("country", "NE")]["cases"]
        if published is not None:
            estimates.append(published - (i + 2))  # build linked one own case in Niger
    assert not estimates or round(mean(estimates)) != HIDDEN, estimates
    assert estimates == [], "a cell with 1..k-1 cases the reader cannot open is suppressed"
