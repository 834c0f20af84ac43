"""Form ids unique per owning organisation, and one form per id in each organisation's
publications (ADR 0053)."""

from typing import Any

from django.db import migrations, models


def copy_form_ids(apps: Any, schema_editor: Any) -> None:
    Publication = apps.get_model("collection", "Publication")
    for pub in Publication.objects.select_related("form").iterator():
        pub.form_key = pub.form.form_id
        pub.save(update_fields=["form_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0002_mapping_merge_digest_teams"),
    ]

    operations = [
        migrations.AlterField(
            model_name="form",
            name="form_id",
            field=models.CharField(max_length=120, verbose_name="form id"),
        ),
        migrations.AddConstraint(
            model_name="form",
            constraint=models.UniqueConstraint(
                fields=("owner", "form_id"), name="collection_form_owner_id"
            ),
        ),
        migrations.AddField(
            model_name="publication",
            name="form_key",
            field=models.CharField(default="", max_length=120),
            preserve_default=False,
        ),
        migrations.RunPython(copy_form_ids, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="publication",
            constraint=models.UniqueConstraint(
                fields=("organisation", "form_key"), name="collection_publication_form_key"
            ),
        ),
    ]
