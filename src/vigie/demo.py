"""Synthetic demonstration data. Each Vigie app may add a ``demo.py`` with ``load(ctx)``;
they run in the order of settings.VIGIE_APPS. Never real people."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction


@dataclass
class DemoContext:
    seed: int
    records: int
    password: str
    rng: random.Random
    organisations: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    echo: Any = print


def credentials_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-credentials.txt"


def demo_password() -> str:
    """One random password for all demo accounts of this data directory, kept beside it."""
    path = credentials_file()
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = "demo-" + secrets.token_urlsafe(9)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


def is_loaded() -> bool:
    from vigie.core.models import Organisation

    return Organisation.objects.exists()


def load(*, seed: int = 2331, records: int = 500, echo: Any = print) -> DemoContext:
    ctx = DemoContext(seed, records, demo_password(), random.Random(seed), echo=echo)
    from vigie.discovery import app_modules

    for module in app_modules("demo"):
        with transaction.atomic():
            module.load(ctx)
    return ctx
