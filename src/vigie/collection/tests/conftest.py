from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from vigie.collection import services
from vigie.core.actor import Actor
from vigie.testing import World

FIXTURES = Path(__file__).parents[1] / "data" / "forms"
HTCDS = FIXTURES / "htcds_xlsform.xlsx"
VERSION = "vSmt4GQA3C9uBMLPEVfgND"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> None:
    """English messages; an evidence store of its own for each test."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def published(world: World) -> Any:
    manager = world.users["case_manager"]
    return services.publish_form(
        Actor(user=manager), HTCDS.read_bytes(), "htcds_xlsform.xlsx", [world.own]
    )


@pytest.fixture
def device(world: World) -> services.Issued:
    return services.issue_device(Actor(user=world.users["case_manager"]), world.own, "Team A")


def basic(issued: services.Issued, secret: str | None = None) -> dict[str, str]:
    raw = f"{issued.device.username}:{secret or issued.secret}".encode()
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(raw).decode()}


def instance(
    instance_id: str = "uuid:11111111-1111-4111-8111-111111111111",
    *,
    form_id: str = "htcds_xlsform",
    version: str = VERSION,
    deprecated: str = "",
    gender: str = "Feminine",
    extra: str = "",
) -> bytes:
    dep = f"<deprecatedID>{deprecated}</deprecatedID>" if deprecated else ""
    return (
        f'<?xml version="1.0"?><data id="{form_id}" version="{version}">'
        "<start>2026-12-01T10:00:00.000+03:00</start>"
        "<con_Consent>TRUE</con_Consent>"
        "<prs_First_Name>Synthetic</prs_First_Name>"
        "<prs_Birthdate>2010-05-04</prs_Birthdate>"
        f"<prs_Gender>{gender}</prs_Gender><prs_Citizenship>IQ</prs_Citizenship>"
        "<vic_TypeOfExploitation>ForcedLabour ForcedMarriage</vic_TypeOfExploitation>"
        "<vic_LocationOfExploitation>SY</vic_LocationOfExploitation>"
        f"{extra}<meta><instanceID>{instance_id}</instanceID>{dep}</meta></data>"
    ).encode()
