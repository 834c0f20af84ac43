"""Shared by the case benchmarks: the ``vigie`` command beside this Python, the environment
of a data directory, and a fresh database in it with the organisation "bench"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

VIGIE = str(Path(sys.executable).with_name("vigie"))


def env(data: Path) -> dict[str, str]:
    return os.environ | {
        "VIGIE_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "vigie.settings.dev",
    }


def setup(data: Path) -> None:
    """Migrate the database of ``data`` and make sure the organisation "bench" exists."""
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', interactive=False, verbosity=0);"
        "from vigie.core.models import Organisation;"
        "Organisation.objects.get_or_create(code='bench', defaults={'name': 'Bench'})"
    )
    subprocess.run([sys.executable, "-c", code], env=env(data), check=True)
