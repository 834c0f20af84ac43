"""Fields of imported records that no layout knows (HTCDS ``vic_MotherName``...) were kept
in clear in ``Case.source_attributes`` and shown through shares without identities. They
are identity by default: moved to the encrypted ``Case.source_identity`` (issue 15)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

import vigie.core.fields

UNKNOWN_PREFIXES = ("cas_", "vic_")  # HTCDS fields; CTDC's kept columns have no prefix


def move(apps: Any, schema_editor: Any) -> None:
    case_model = apps.get_model("cases", "Case")
    rows = case_model.objects.exclude(source_attributes={}).only("pk", "source_attributes")
    for case in rows.iterator(chunk_size=500):
        kept = dict(case.source_attributes or {})
        unknown = {k: kept.pop(k) for k in list(kept) if k.startswith(UNKNOWN_PREFIXES)}
        if unknown:
            case.source_attributes = kept
            case.source_identity = unknown
            case.save(update_fields=["source_attributes", "source_identity"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_import_speed")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="source_identity",
            field=vigie.core.fields.EncryptedJSONField(
                blank=True,
                default=dict,
                null=True,
                verbose_name="unknown source fields (identifying)",
            ),
        ),
        migrations.RunPython(move, migrations.RunPython.noop, elidable=True),
    ]
