"""The disclosure-control settings are set from the environment as docs/settings.md says
(issue 14: VIGIE_STATS_K was read from Django settings that nothing could set)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_stats_settings_come_from_the_environment(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vigie.settings.dev",
        "VIGIE_DATA_DIR": str(tmp_path),
        "VIGIE_STATS_K": "5",
        "VIGIE_STATS_PERTURB": "false",
        "VIGIE_STATS_MAX_NOISE": "3",
    }
    env.pop("DATABASE_URL", None)
    code = (
        "import django; django.setup()\n"
        "from vigie.analytics.disclosure import default_policy\n"
        "p = default_policy(); print(p.k, p.perturb, p.max_noise)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["5", "False", "3"]
    docs = (Path(__file__).resolve().parents[4] / "docs" / "settings.md").read_text()
    assert "`VIGIE_STATS_K`" in docs
