"""Shared by the identification benchmarks: Django in this process on a fresh data
directory (SQLite), migrated, and percentile helpers."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any


def start(data_dir: str | None = None) -> str:
    """Set up Django on ``data_dir`` (a new temporary directory by default)."""
    data = data_dir or tempfile.mkdtemp(prefix="vigie-bench-ident-")
    os.environ["VIGIE_DATA_DIR"] = data
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return data


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Milliseconds of ``repeat`` calls of ``fn`` (after one warm-up call)."""
    fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    if len(values) < 2:
        return round(values[0], 3) if values else 0.0
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 3)
