"""Publishing XLSForms: conversion, errors with sheet/row/column, versions, organisations."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from lxml import etree

from vigie.collection import services
from vigie.collection.models import Form, FormVersion, Publication
from vigie.collection.tests.conftest import HTCDS, VERSION
from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Forbidden, Invalid
from vigie.testing import World

pytestmark = pytest.mark.django_db


def xlsform(survey: list[list[str]], settings: dict[str, str] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "survey"
    for row in [["type", "name", "label"], *survey]:
        ws.append(row)
    if settings is not None:
        st = wb.create_sheet("settings")
        st.append(list(settings))
        st.append(list(settings.values()))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_htcds_xlsform_publishes_without_edits(world: World, published: FormVersion) -> None:
    assert published.form.form_id == "htcds_xlsform"
    assert published.version == VERSION
    root = etree.fromstring(published.xform.encode())
    inst = root.find(".//{http://www.w3.org/2002/xforms}instance")
    assert inst is not None and inst[0].get("id") == "htcds_xlsform"
    assert published.questions["prs_Gender"]["label"] == "Gender"
    assert published.questions["prs_Gender"]["choices"]["Feminine"].startswith("Feminine")
    assert Publication.objects.get(form=published.form).organisation == world.own


def test_error_names_sheet_row_and_column(world: World) -> None:
    bad = xlsform([["text", "a b", "A"]], {"form_id": "f", "version": "1"})
    with pytest.raises(Invalid) as err:
        services.publish_form(Actor(user=world.users["case_manager"]), bad, "f.xlsx", [world.own])
    assert err.value.detail["sheet"] == "survey"
    assert err.value.detail["row"] == 2
    assert err.value.detail["column"] == "name"
    assert not Form.objects.exists()


def test_version_required_and_new_version_keeps_old(world: World) -> None:
    actor = Actor(user=world.users["case_manager"])
    with pytest.raises(Invalid):
        services.publish_form(
            actor, xlsform([["text", "a", "A"]], {"form_id": "f"}), "f.xlsx", [world.own]
        )
    v1 = services.publish_form(
        actor,
        xlsform([["text", "a", "A"]], {"form_id": "f", "version": "1"}),
        "f.xlsx",
        [world.own],
    )
    v2 = services.publish_form(
        actor,
        xlsform([["text", "a", "A"], ["integer", "n", "N"]], {"form_id": "f", "version": "2"}),
        "f.xlsx",
        [world.own],
    )
    assert FormVersion.objects.filter(form=v1.form).count() == 2
    assert Publication.objects.get(form=v1.form, organisation=world.own).version == v2
    changed = xlsform([["text", "b", "B"]], {"form_id": "f", "version": "2"})
    with pytest.raises(Conflict):
        services.publish_form(actor, changed, "f.xlsx", [world.own])


def test_publishing_needs_the_permission_in_each_organisation(world: World) -> None:
    data = xlsform([["text", "a", "A"]], {"form_id": "f", "version": "1"})
    with pytest.raises(Forbidden):
        services.publish_form(
            Actor(user=world.users["case_manager"]), data, "f.xlsx", [world.own, world.other]
        )
    with pytest.raises(Forbidden):
        services.publish_form(Actor(user=world.users["analyst"]), data, "f.xlsx", [world.own])


def test_upload_through_the_web_shows_the_error(world: World, web: Any) -> None:
    client = web(world.users["case_manager"])
    bad = io.BytesIO(xlsform([["text", "a b", "A"]], {"form_id": "f", "version": "1"}))
    bad.name = "f.xlsx"
    response = client.post("/collection/forms/", {"xlsform": bad, "organisations": [world.own.pk]})
    assert response.status_code == 400
    assert "sheet survey, row 2, column name" in response.content.decode()
    good = io.BytesIO(HTCDS.read_bytes())
    good.name = "htcds_xlsform.xlsx"
    response = client.post("/collection/forms/", {"xlsform": good, "organisations": [world.own.pk]})
    assert response.status_code == 302
    page = client.get("/collection/forms/").content.decode()
    assert "htcds_xlsform" in page and VERSION in page
