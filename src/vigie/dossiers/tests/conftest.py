from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import pytest

from vigie.cases.models import Case, Exploitation, Perpetrator, Victim
from vigie.core.models import Membership, User
from vigie.testing import World


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Any) -> Any:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def marker() -> str:
    """A victim's name that appears nowhere else: found in bytes only if it leaked."""
    return "Zq" + secrets.token_hex(6)


@pytest.fixture
def cases(world: World, marker: str) -> list[Case]:
    out = []
    for i in range(14):
        case = Case.objects.create(
            organisation=world.own,
            reference=f"DC-{i}",
            source_type="case_management",
            country="LY" if i % 3 else "NE",
            event_year=2017 + i % 2,
            event_date_start=dt.date(2017 + i % 2, 3, 1),
        )
        Victim.objects.create(
            case=case, given_name=marker if i == 0 else f"Synthetic{i}", family_name="Person",
            sex="female", age_at_identification=20 + i, citizenship="ER",
        )  # fmt: skip
        Exploitation.objects.create(case=case, forms=["forced_labour"], country="LY")
        Perpetrator.objects.create(case=case, kind="person", name="Synthetic Trafficker")
        out.append(case)
    return out


@pytest.fixture
def cleared(world: World) -> User:
    """A panel expert who also may see and export the own organisation's victims' identities."""
    user, _ = User.objects.get_or_create(username="cleared-expert")
    for role in ("panel_expert", "case_manager"):
        Membership.objects.get_or_create(user=user, organisation=world.own, role=role)
    return user
