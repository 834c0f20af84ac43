# The case list's filter terms (docs/adr/0313-case-filter-terms.md): the table, binary order
# for the term on PostgreSQL (prefix ranges), its indexes, then the terms of existing cases.

import django.db.models.deletion
from django.db import migrations, models


def binary_order(apps, schema_editor):
    """Word prefixes are ranges (term >= 'w:sinj' AND term < 'w:sink'): the term must sort
    by code point whatever the database's locale (SQLite's default BINARY already does)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE cases_caseterm ALTER COLUMN term TYPE varchar(64) COLLATE "C"'
        )


def build_terms(apps, schema_editor):
    from vigie.cases.search import terms

    terms.rebuild(replace=False)  # before the indexes: faster


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_speed_list_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("term", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField()),
                (
                    "case",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="terms",
                        to="cases.case",
                    ),
                ),
            ],
        ),
        migrations.RunPython(binary_order, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(build_terms, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="caseterm",
            index=models.Index(fields=["term", "-created_at", "-case"], name="caseterm_list"),
        ),
        migrations.AddConstraint(
            model_name="caseterm",
            constraint=models.UniqueConstraint(fields=["case", "term"], name="caseterm_case"),
        ),
    ]
