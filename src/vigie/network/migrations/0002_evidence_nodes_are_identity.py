"""Evidence nodes carry the file's name, which is identity (ADR 0045, issue 15): mark the
nodes already built so that the graph and its exports withhold them as they do for names."""

from typing import Any

from django.db import migrations


def mark(apps: Any, schema_editor: Any) -> None:
    apps.get_model("network", "Node").objects.filter(kind="evidence").update(identifying=True)


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
