import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_case_terms"),
        ("core", "0002_job"),
    ]

    # Import speed (docs/adr/0312): foreign-key indexes no query needs are dropped with plain
    # DROP INDEX (an AlterField would rebuild each table on SQLite); the index names are the
    # ones Django gave them in 0001 (the same on SQLite and PostgreSQL).
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_organisation_id_dac38ff3"',
                    'CREATE INDEX "cases_case_organisation_id_dac38ff3" ON "cases_case" ("organisation_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_exploitation_incident_id_dc0ec6d7"',
                    'CREATE INDEX "cases_exploitation_incident_id_dc0ec6d7" ON "cases_exploitation" ("incident_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_exploitation_organisation_id_354b1153"',
                    'CREATE INDEX "cases_exploitation_organisation_id_354b1153" ON "cases_exploitation" ("organisation_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_incident_organisation_id_14f6a761"',
                    'CREATE INDEX "cases_incident_organisation_id_14f6a761" ON "cases_incident" ("organisation_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_perpetrator_organisation_id_43edf9e5"',
                    'CREATE INDEX "cases_perpetrator_organisation_id_43edf9e5" ON "cases_perpetrator" ("organisation_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_referral_organisation_id_97c8c7e2"',
                    'CREATE INDEX "cases_referral_organisation_id_97c8c7e2" ON "cases_referral" ("organisation_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_routeleg_organisation_id_84e63c43"',
                    'CREATE INDEX "cases_routeleg_organisation_id_84e63c43" ON "cases_routeleg" ("organisation_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_victim_incident_id_04b26c2c"',
                    'CREATE INDEX "cases_victim_incident_id_04b26c2c" ON "cases_victim" ("incident_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_victim_organisation_id_dd471be7"',
                    'CREATE INDEX "cases_victim_organisation_id_dd471be7" ON "cases_victim" ("organisation_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="core.organisation",
                        verbose_name="organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="exploitation",
                    name="incident",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="exploitations",
                        to="cases.incident",
                    ),
                ),
                migrations.AlterField(
                    model_name="exploitation",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="incident",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="perpetrator",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="referral",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="routeleg",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="victim",
                    name="incident",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="the incident this person is also counted in, if any",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="victims",
                        to="cases.incident",
                    ),
                ),
                migrations.AlterField(
                    model_name="victim",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
            ],
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="cases_case_country_630f33_idx",
        ),
        migrations.AddIndex(
            model_name="exploitation",
            index=models.Index(
                condition=models.Q(("incident__isnull", False)),
                fields=["incident"],
                name="exploitation_incident",
            ),
        ),
        migrations.AddIndex(
            model_name="perpetrator",
            index=models.Index(fields=["organisation"], name="perpetrator_organisation"),
        ),
        migrations.AddIndex(
            model_name="victim",
            index=models.Index(
                condition=models.Q(("incident__isnull", False)),
                fields=["incident"],
                name="victim_incident",
            ),
        ),
    ]
