"""The listing's details kept apart on each entry (designation, measures, dates of birth,
nationalities, narrative; ADR 0540), filled from the data already stored; and the batch a
saved subject came from (ADR 0541)."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

DETAILS = ("designation", "measures", "birth_dates", "nationalities", "narrative")


def fill(apps: Any, schema_editor: Any) -> None:
    from vigie.screening.parsers.base import details

    entry_model = apps.get_model("screening", "ListEntry")
    batch: list[Any] = []
    for entry in entry_model.objects.only("pk", "data").iterator(chunk_size=500):
        found = details(entry.data or {})
        for key in DETAILS:
            setattr(entry, key, found[key])
        batch.append(entry)
        if len(batch) >= 500:
            entry_model.objects.bulk_update(batch, DETAILS)
            batch = []
    if batch:
        entry_model.objects.bulk_update(batch, DETAILS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_access_log_key_id"),
        ("screening", "0002_alerts_without_query_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="listentry", name="designation", field=models.TextField(blank=True)
        ),
        migrations.AddField(
            model_name="listentry",
            name="measures",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="listentry",
            name="birth_dates",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="listentry",
            name="nationalities",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="listentry", name="narrative", field=models.TextField(blank=True)
        ),
        migrations.AddField(
            model_name="subject",
            name="batch",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="core.job",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
