"""Vigie's own configuration checks (beyond Django's), for `vigie check`; with `--deploy`,
the production checks registered with Django's check framework (:func:`deployment_checks`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, Tags, Warning, register
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
    from vigie.core.audit import AuditKeyProblem, audit_key

    try:
        audit_key()
    except AuditKeyProblem as exc:
        problems.append(f"audit key: {exc}")
    from vigie.core.signing import SigningKeyProblem, signing_key

    try:
        signing_key()
    except (SigningKeyProblem, ValueError, OSError) as exc:
        problems.append(f"signing key: {exc}")
    if len(bytes.fromhex(settings.VIGIE_BLIND_INDEX_KEY)) < 32:
        problems.append("VIGIE_BLIND_INDEX_KEY must be at least 32 bytes (64 hex characters)")
    field_keys: dict[str, Any] = settings.VIGIE_FIELD_KEYS
    if settings.SECRET_KEY in {str(k) for k in field_keys["keys"].values()}:
        problems.append("a field key equals SECRET_KEY: keep them apart")
    return problems


def _inside_data_dir(path: str | Path) -> bool:
    data = Path(settings.DATA_DIR).expanduser().resolve()
    return Path(path).expanduser().resolve().is_relative_to(data)


@register(Tags.security, deploy=True)
def deployment_checks(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """What a production deployment must have (docs/settings.md, ADR 0030): a real database,
    and no key in the data directory, so that a copy of it (a backup, a stolen disk) can
    neither read identities nor forge the audit and custody trails; and a witness outside
    it holding signed checkpoints of both logs."""
    from vigie.core.audit import audit_key_path
    from vigie.core.signing import key_path

    errors: list[CheckMessage] = []
    if str(settings.DATABASES["default"].get("ENGINE", "")).endswith("sqlite3"):
        errors.append(
            Error(
                "the database is SQLite, beside the data it protects: a demonstration setup",
                hint="set DATABASE_URL to a PostgreSQL database (docs/settings.md)",
                id="vigie.E101",
            )
        )
    from_file = list(getattr(settings, "VIGIE_SECRETS_FROM_DATA_DIR", []))
    if from_file:
        errors.append(
            Error(
                f"{', '.join(from_file)} read from secrets.json in the data directory",
                hint="pass VIGIE_SECRET_KEY, VIGIE_FIELD_KEYS and VIGIE_BLIND_INDEX_KEY from "
                "the agency's secret store, and keep secrets.json out of the data directory",
                id="vigie.E102",
            )
        )
    if apps.is_installed("vigie.evidence") and not os.environ.get("VIGIE_EVIDENCE_KEYS"):
        errors.append(
            Error(
                "the evidence file keys are read from evidence/keys.json in the data directory",
                hint="pass VIGIE_EVIDENCE_KEYS from the agency's secret store",
                id="vigie.E102",
            )
        )
    if _inside_data_dir(key_path()):
        errors.append(
            Error(
                f"the signing key {key_path()} is in the data directory: whoever copies it "
                "can sign a rewritten custody log",
                hint="set VIGIE_EVIDENCE_SIGNING_KEY to a PEM file outside the data directory",
                id="vigie.E103",
            )
        )
    audit_path = audit_key_path()
    if audit_path is not None and _inside_data_dir(audit_path):
        errors.append(
            Error(
                f"the audit key {audit_path} is in the data directory: whoever copies it can "
                "rewrite the access log's chain",
                hint="set VIGIE_AUDIT_KEY (64 hex characters) or VIGIE_AUDIT_KEY_FILE to a "
                "file outside the data directory",
                id="vigie.E104",
            )
        )
    witnesses = list(getattr(settings, "VIGIE_WITNESS", []))
    local_inside = [w for w in witnesses if not w.startswith("s3://") and _inside_data_dir(w)]
    if not witnesses or local_inside:
        errors.append(
            Error(
                "no witness outside the data directory receives signed checkpoints of the "
                "access and custody logs: a truncated or rewritten log would go unnoticed",
                hint="set VIGIE_WITNESS to a directory an auditor keeps (another machine's "
                "mount) or to s3://bucket/prefix with object lock (docs/settings.md)",
                id="vigie.E105",
            )
        )
    errors.extend(_temp_dir_checks())
    return errors


def _temp_dir_checks() -> list[CheckMessage]:
    """Request bodies over 512 KB wait for Vigie in VIGIE_TEMP_DIR, in clear (ADR 0054): it
    must be in memory or encrypted, as detected, or as the operator attests for the mount it
    is on (VIGIE_TEMP_DIR_ENCRYPTION = "<mount point>: <how>", ADR 0070)."""
    from vigie.core.bodies import in_memory_or_encrypted, mount_of, temp_root

    root = temp_root()
    if in_memory_or_encrypted(root):
        return []
    attested = str(getattr(settings, "VIGIE_TEMP_DIR_ENCRYPTION", "") or "").strip()
    mount = mount_of(root)
    point, _sep, how = attested.partition(":")
    where = mount[0] if mount else "?"
    if attested and mount is not None and point.strip() == where and how.strip():
        return [
            Info(
                f"request bodies wait in {root}, on {where}, which the operator attests is "
                f"encrypted: {how.strip()} (VIGIE_TEMP_DIR_ENCRYPTION; not verified by Vigie)",
                id="vigie.I106",
            )
        ]
    why = (
        f"; VIGIE_TEMP_DIR_ENCRYPTION attests {point.strip() or '?'!r}, but the directory is "
        f"on {where!r}"
        if attested
        else ""
    )
    return [
        Warning(
            f"request bodies (uploads over 512 KB) wait in clear in {root}, which is neither "
            "in memory (tmpfs) nor on encryption Vigie can see (dm-crypt, fscrypt, ZFS)" + why,
            hint="set VIGIE_TEMP_DIR to a directory on tmpfs or on an encrypted volume; if the "
            f"volume is encrypted below the system (a cloud provider's encrypted disk), set "
            f'VIGIE_TEMP_DIR_ENCRYPTION="{where}: <how it is encrypted>"; and bound request '
            "bodies at the TLS proxy too (docs/settings.md)",
            id="vigie.W106",
        )
    ]
