"""Alerts stored before issue 15 kept the screened name in their explanation (``query_name``,
``alignment`` and the first reason), in clear. Drop those parts; the name stays encrypted on
the subject (vigie.screening.services.stored_explanation)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

QUERY_PARTS = ("query_name", "alignment")


def strip(apps: Any, schema_editor: Any) -> None:
    hit_model = apps.get_model("screening", "Hit")
    for hit in hit_model.objects.only("pk", "explanation").iterator(chunk_size=500):
        explanation = hit.explanation or {}
        name = explanation.get("query_name")
        if not name and not any(k in explanation for k in QUERY_PARTS):
            continue
        kept = {k: v for k, v in explanation.items() if k not in QUERY_PARTS}
        if name:
            kept["reasons"] = [
                str(r).replace(repr(name), "the name screened") for r in kept.get("reasons") or []
            ]
        hit.explanation = kept
        hit.save(update_fields=["explanation"])


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [migrations.RunPython(strip, migrations.RunPython.noop, elidable=True)]
