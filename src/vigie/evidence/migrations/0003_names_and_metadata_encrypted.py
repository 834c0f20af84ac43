"""Evidence file names and extracted metadata (EXIF GPS, device serials, authors) were kept in
clear: they are identity, encrypted like every identity field (issue 15, ADR 0045). The
values already stored are encrypted in place, in batches."""

from __future__ import annotations

import json
from typing import Any

from django.db import migrations

import vigie.core.fields

BATCH = 500


def _encrypt_column(
    schema_editor: Any, table: str, column: str, context: str, as_json: bool
) -> None:
    from vigie.core import crypto

    conn = schema_editor.connection
    q = conn.ops.quote_name
    last = 0
    while True:
        with conn.cursor() as cur:
            cur.execute(
                f"SELECT {q('id')}, {q(column)} FROM {q(table)} WHERE {q('id')} > %s "  # noqa: S608
                f"ORDER BY {q('id')} LIMIT {BATCH}",
                [last],
            )
            rows = cur.fetchall()
            if not rows:
                return
            for pk, value in rows:
                last = pk
                if value is None or str(value).startswith(crypto.PREFIX + ":"):
                    continue
                plain = str(value)
                if as_json:
                    data = json.loads(plain) if isinstance(value, str) else value
                    if not data:
                        new = None
                    else:
                        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
                        new = crypto.encrypt(text, context)
                else:
                    new = crypto.encrypt(plain, context) if plain else None
                cur.execute(
                    f"UPDATE {q(table)} SET {q(column)} = %s WHERE {q('id')} = %s",  # noqa: S608
                    [new, pk],
                )


def encrypt(apps: Any, schema_editor: Any) -> None:
    _encrypt_column(
        schema_editor, "evidence_item", "original_name", "evidence.item.original_name", False
    )
    _encrypt_column(
        schema_editor, "evidence_technicalmetadata", "data", "evidence.technicalmetadata.data", True
    )


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_case_links")]

    operations = [
        migrations.AlterField(
            model_name="item",
            name="original_name",
            field=vigie.core.fields.EncryptedTextField(null=True, verbose_name="file name"),
        ),
        migrations.AlterField(
            model_name="technicalmetadata",
            name="data",
            field=vigie.core.fields.EncryptedJSONField(blank=True, default=dict, null=True),
        ),
        migrations.RunPython(encrypt, migrations.RunPython.noop),
    ]
