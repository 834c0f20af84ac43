"""Change-log entries written before identity fields were withheld kept half of each value
in clear (auditlog's default mask). Replace those values by "changed" (docs/adr/0020)."""

from __future__ import annotations

from typing import Any

from django.apps import apps as current_apps
from django.db import migrations


def scrub(apps: Any, schema_editor: Any) -> None:
    from vigie.core.changelog import scrub_entries

    # the classification is a class attribute of the current models (historical models do
    # not carry it); the entries are read through the historical ones
    scrub_entries(
        apps.get_model("auditlog", "LogEntry"),
        apps.get_model("contenttypes", "ContentType"),
        current_apps.get_model,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_tamper_keyed_access_chain"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop, elidable=True)]
