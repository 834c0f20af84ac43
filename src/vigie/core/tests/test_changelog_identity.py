"""The change log (django-auditlog) records that an identity field changed, never its value
in any form: not masked by halves, not in the database, not in the API (issue 15)."""

from __future__ import annotations

import copy
import importlib
from typing import Any

from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection

from vigie.cases.tests.conftest import RECORD
from vigie.core import changelog
from vigie.testing import World

MARK = "Zqxwvmarker"


def _record() -> dict[str, Any]:
    record = copy.deepcopy(RECORD)
    victim = record["victims"][0]
    victim.update(
        given_name=f"{MARK}given",
        family_name=f"{MARK}family",
        document_number=f"{MARK}-doc-4711",
        phone="+964 771 234 5678",
        date_of_birth="2001-07-14",
    )
    record["perpetrators"].append({"kind": "person", "name": f"{MARK}perp", "role": "buyer"})
    return record


def _raw_changelog() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.changes, l.changes_text, l.object_repr FROM auditlog_logentry l "
            "JOIN django_content_type t ON t.id = l.content_type_id "
            "WHERE t.app_label = 'cases'"
        )
        return "\n".join(str(row) for row in cursor.fetchall())


def test_identity_fields_are_recorded_as_changed_only(api: Any, world: World) -> None:
    officer = api(world.users["field_officer"])
    created = officer.post("/api/cases/", _record(), format="json")
    assert created.status_code == 201, created.json()
    uuid = created.json()["uuid"]
    patched = officer.patch(
        f"/api/cases/{uuid}/",
        {"victims": [{**created.json()["victims"][0], "phone": "+964 772 999 0000"}]},
        format="json",
    )
    assert patched.status_code == 200, patched.json()

    raw = _raw_changelog()
    assert "changed" in raw
    for leak in (MARK.lower(), MARK[-4:], "4711", "5678", "07-14", "0000"):
        assert leak.lower() not in raw.lower(), leak
    rows = api(world.users["auditor"]).get("/api/audit/changes/?model=victim").json()["results"]
    assert rows, "the victim's creation is in the change log"
    created_row = next(r for r in rows if r["action"] in (0, "create"))
    assert created_row["changes"]["family_name"] == ["changed", "changed"]
    text = str(rows)
    assert "*" not in text and "5678" not in text and "07-14" not in text
    # the sex (sensitive, not identity) is still recorded as it is
    assert "female" in text


def test_existing_entries_are_scrubbed_by_the_data_migration(world: World) -> None:
    from vigie.cases.models import Victim

    ct = apps.get_model("contenttypes", "ContentType").objects.get_for_model(Victim)
    entry = LogEntry.objects.create(
        content_type=ct,
        object_pk="1",
        object_repr="T-1 victim 1",
        action=LogEntry.Action.UPDATE,
        changes={"family_name": ["None", "*****family"], "sex": ["", "female"]},
        changes_text="family_name: *****family",
        additional_data={"organisation": "own-org"},
    )
    migration = importlib.import_module("vigie.core.migrations.0005_scrub_identity_changes")
    migration.scrub(apps, None)
    entry.refresh_from_db()
    assert entry.changes == {"family_name": ["changed", "changed"], "sex": ["", "female"]}
    assert "family" not in entry.changes_text


def test_every_identity_field_of_every_registered_model_is_withheld() -> None:
    from auditlog.registry import auditlog

    from vigie.core.classification import IDENTITY, classification_of, concrete_fields

    for model in auditlog.get_models():
        if not model.__module__.startswith("vigie."):
            continue
        withheld = set(changelog.withheld_fields(model))
        for name in concrete_fields(model):
            if classification_of(model, name) == IDENTITY:
                assert name in withheld, f"{model.__name__}.{name}"
