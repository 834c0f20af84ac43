"""Attacker's probe (ADR 0057, 0059): an export's answers are identity (a victim's name may
sit in any column); the import report, kept in the job's result and shown to the
organisation's administrators (collection.manage without victim.identity.view), names the
cell of a bad answer but never repeats it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from vigie.collection import services
from vigie.collection.tests.test_imports import _run, central_zip
from vigie.collection.tests.test_repeats import HOUSEHOLD, RULES
from vigie.core.actor import Actor
from vigie.testing import World

pytestmark = pytest.mark.django_db
MARK = "Zarqa-Identity-7731"


@pytest.fixture
def form(world: World) -> Any:
    actor = Actor(user=world.users["case_manager"])
    version = services.publish_form(actor, HOUSEHOLD.read_bytes(), HOUSEHOLD.name, [world.own])
    services.save_mapping(actor, version.form, world.own, "Household interview", RULES)
    return version.form


def test_a_bad_answer_is_not_quoted_in_the_import_report(
    world: World, form: Any, tmp_path: Path, web: Any
) -> None:
    plain = central_zip(tmp_path)
    hostile = tmp_path / "hostile.csv.zip"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(hostile, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("-victims.csv"):
                data = data.replace(b"Bo,x,16", f"Bo,{MARK},16".encode())
            dst.writestr(info, data)
    job = _run(world, hostile, form)
    assert job.status == "succeeded", job.error
    problem = next(p for p in job.result["problems"] if p["column"] == "victims-sex")
    assert problem["why"] == "not a choice of the question"
    assert MARK not in json.dumps(job.result) + job.error + job.message
    page = web(world.users["org_admin"]).get(f"/collection/imports/{job.pk}/")
    assert page.status_code == 200 and MARK not in page.content.decode()


def test_probe_a_name_in_a_key_column_is_described_not_quoted(
    world: World, form: Any, tmp_path: Path
) -> None:
    """A shifted victims row puts a name where the parent's key belongs: the key column is
    ordinary, but the report quotes only values no name can be (ADR 0054), so it says the
    cell's shape; a real ODK key (uuid and hex digits) is still quoted."""
    plain = central_zip(tmp_path)
    hostile = tmp_path / "shifted.csv.zip"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(hostile, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("-victims.csv"):
                data = data.replace(b"uuid:nope,", f"{MARK},".encode())
            dst.writestr(info, data)
    job = _run(world, hostile, form)
    assert job.status == "succeeded", job.error
    assert MARK not in json.dumps(job.result) + job.error + job.message
    problem = next(p for p in job.result["problems"] if p["column"] == "PARENT_KEY")
    assert problem["why"] == "no such parent row"
    assert problem["shape"] == "19 characters: letters, digits, other characters"
