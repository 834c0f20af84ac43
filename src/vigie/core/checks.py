"""Vigie's own configuration checks (beyond Django's), for `vigie check`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

from vigie.core import crypto


def vigie_checks() -> list[str]:
    problems: list[str] = []
    try:
        connection.ensure_connection()
    except Exception as exc:  # any driver error means "cannot reach the database"
        problems.append(f"database unreachable: {exc}")
    try:
        crypto.keyring()
    except crypto.DecryptionError as exc:
        problems.append(f"field keys: {exc}")
    if len(bytes.fromhex(settings.VIGIE_BLIND_INDEX_KEY)) < 32:
        problems.append("VIGIE_BLIND_INDEX_KEY must be at least 32 bytes (64 hex characters)")
    field_keys: dict[str, Any] = settings.VIGIE_FIELD_KEYS
    if settings.SECRET_KEY in {str(k) for k in field_keys["keys"].values()}:
        problems.append("a field key equals SECRET_KEY: keep them apart")
    return problems
