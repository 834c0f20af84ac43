"""Probe (issue 15, round eleven, ADR 0070): padding a dossier with one's own cases must not
average away the noise on the cases one cannot open.

ADR 0053 suppressed a cell holding 1..k-1 cases the reader cannot open. A cell holding k or
more of them stayed perturbed over *all* its cases, so each own case the reader linked gave
it new noise: a panel expert linking own cases one at a time and subtracting them learnt
the exact number of another organisation's cases in Niger, and the exact linked total (here
the cell of the one year); with an own country of k cases absorbing the secondary
suppression, total less Niger less their own is the other organisation's single case in
Mali."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from vigie.cases.models import Case
from vigie.core.models import Membership, User
from vigie.dossiers.tests.test_api import build
from vigie.dossiers.tests.test_probe_differencing import _case, _cases_section
from vigie.testing import World

pytestmark = pytest.mark.django_db


def test_probe_own_cases_linked_one_at_a_time_do_not_refresh_the_noise_on_others(
    api: Any, world: World, cases: list[Case]
) -> None:
    k = settings.VIGIE_STATS_K
    expert = world.users["panel_expert"]
    d = build(api, world, cases[:1])  # one own case, in Niger
    linker = User.objects.create_user(username="linker", password="correct-horse-battery")
    Membership.objects.create(user=linker, organisation=world.own, role="panel_expert")
    Membership.objects.create(user=linker, organisation=world.other, role="case_manager")
    hidden = [_case(world.other, f"OT-{i}", "NE") for i in range(k)]
    hidden.append(_case(world.other, "OT-ML", "ML"))
    for case in hidden:
        sent = api(linker).post(d["base"] + "cases/", {"case": str(case.uuid)}, format="json")
        assert sent.status_code == 201, sent.content
    for i in range(k):  # an own country large enough to take the secondary suppression
        own = _case(world.own, f"TD-{i}", "TD")
        api(expert).post(d["base"] + "cases/", {"case": str(own.uuid)}, format="json")
    niger, mali = [], []
    for i in range(12):
        own = _case(world.own, f"PAD-{i}", "NE")
        api(expert).post(d["base"] + "cases/", {"case": str(own.uuid)}, format="json")
        section = _cases_section(api(expert), d["base"])
        cells = {(b["by"], b["value"]): b["cases"] for b in section["breakdown"]}
        own_niger = i + 2
        total = cells.get(("year", "2017"))  # every case is of 2017: the year is the total
        if cells.get(("country", "NE")) is None or total is None:
            continue
        niger.append(cells[("country", "NE")] - own_niger)
        mali.append(total - cells[("country", "NE")] - k)
    assert len(niger) >= 6, "the cells the attack reads are published"
    # the reader's own links change nothing in what is published about the others' cases
    assert len(set(niger)) == 1, f"noise refreshed by padding: {niger}"
    assert len(set(mali)) == 1, f"noise refreshed by padding: {mali}"
