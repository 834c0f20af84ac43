"""Rotation and retirement of field-encryption keys.

Rotation adds a new key, makes it active, then re-encrypts every encrypted value in batches
(``BATCH`` rows per transaction). Progress is stored per model in ``KeyRotation`` so an
interrupted run resumes; values already under the active key are left alone, so a rerun
is harmless. A key may be retired only when no stored value uses it any more.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from vigie.config import load_or_create_secrets, save_secrets
from vigie.core import crypto
from vigie.core.errors import Conflict
from vigie.core.fields import EncryptedTextField, encrypted_fields
from vigie.core.models import KeyRotation

BATCH = 500


class KeyOperationRefused(Conflict):
    """A key operation that cannot proceed (a key still in use, a rotation under way...);
    the message says why."""

    default_code = "key_operation_refused"


def _models_with_encryption() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    found = []
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if fields:
            found.append((model, fields))
    return sorted(found, key=lambda pair: pair[0]._meta.label)


def _persist_keyring(keyring: dict[str, Any]) -> None:
    if settings.VIGIE_KEYS_FROM_ENV:
        raise KeyOperationRefused(
            "the field keys come from VIGIE_FIELD_KEYS; change that variable instead "
            "(add a key, make it active, restart, then run `vigie keys rotate --reencrypt-only`)"
        )
    data = load_or_create_secrets(settings.DATA_DIR)
    data["field_keys"] = keyring
    save_secrets(settings.DATA_DIR, data)
    settings.VIGIE_FIELD_KEYS = keyring


def add_active_key() -> str:
    conf = settings.VIGIE_FIELD_KEYS
    keys = dict(conf["keys"])
    numbers = [int(k[1:]) for k in keys if k[1:].isdigit()]
    new_id = f"k{max(numbers, default=0) + 1}"
    keys[new_id] = secrets.token_hex(32)
    _persist_keyring({"active": new_id, "keys": keys})
    return new_id


@dataclass
class RotationResult:
    key_id: str
    rewritten: int
    resumed: bool


def _reencrypt_model(
    model: type[models.Model],
    fields: list[EncryptedTextField],
    run: KeyRotation,
    progress: Callable[[str, int], None] | None,
) -> None:
    label = model._meta.label
    active, _keys = crypto.keyring()
    # The checkpoint is the last primary key done; kept as text for UUID keys (JSON), read
    # back through the key field so PostgreSQL compares a uuid with a uuid.
    saved = run.progress.get(label)
    last_pk = None if saved is None else model._meta.pk.to_python(saved)
    q = connection.ops.quote_name
    pk_col = q(model._meta.pk.column)
    cols = ", ".join(q(f.column) for f in fields)
    table = q(model._meta.db_table)
    while True:
        where = "" if last_pk is None else f"WHERE {pk_col} > %s "
        select = (
            f"SELECT {pk_col}, {cols} FROM {table} "  # noqa: S608
            f"{where}ORDER BY {pk_col} LIMIT {BATCH}"
        )
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(select, [] if last_pk is None else [last_pk])
                raw = cur.fetchall()
            if not raw:
                break
            stale = [
                row[0]
                for row in raw
                if any(v is not None and crypto.key_id_of(v) != active for v in row[1:])
            ]
            if stale:
                # Reading decrypts with the old key; saving encrypts under the active one.
                objs = list(model._default_manager.filter(pk__in=stale))
                model._default_manager.bulk_update(objs, [f.attname for f in fields])
            last_pk = raw[-1][0]
            run.progress[label] = last_pk if isinstance(last_pk, int) else str(last_pk)
            run.rewritten += len(stale)
            run.save(update_fields=["progress", "rewritten"])
        if progress:
            progress(label, run.rewritten)


def rotate(
    *, reencrypt_only: bool = False, progress: Callable[[str, int], None] | None = None
) -> RotationResult:
    """Add a key (unless only re-encrypting) and move every value under the active key."""
    run = KeyRotation.objects.filter(finished_at__isnull=True).first()
    resumed = run is not None
    if run is None:
        key_id = settings.VIGIE_FIELD_KEYS["active"] if reencrypt_only else add_active_key()
        run = KeyRotation.objects.create(new_key_id=key_id)
    elif run.new_key_id != settings.VIGIE_FIELD_KEYS["active"]:
        raise KeyOperationRefused(
            f"an unfinished rotation to key {run.new_key_id} exists but the active key is "
            f"{settings.VIGIE_FIELD_KEYS['active']}"
        )
    for model, fields in _models_with_encryption():
        _reencrypt_model(model, fields, run, progress)
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return RotationResult(run.new_key_id, run.rewritten, resumed)


def usage() -> dict[str, int]:
    """How many stored values each key id encrypts."""
    counts: dict[str, int] = {}
    with connection.cursor() as cur:
        for model, fields in _models_with_encryption():
            for f in fields:
                table = connection.ops.quote_name(model._meta.db_table)
                col = connection.ops.quote_name(f.column)
                cur.execute(f"SELECT {col} FROM {table} WHERE {col} IS NOT NULL")  # noqa: S608
                for (value,) in cur.fetchall():
                    kid = crypto.key_id_of(value)
                    counts[kid] = counts.get(kid, 0) + 1
    return counts


def retire(key_id: str) -> None:
    conf = settings.VIGIE_FIELD_KEYS
    if key_id == conf["active"]:
        raise KeyOperationRefused(f"key {key_id} is the active key; rotate first")
    if key_id not in conf["keys"]:
        raise KeyOperationRefused(
            f"no key {key_id} in the keyring (keys: {', '.join(conf['keys'])})"
        )
    in_use = usage().get(key_id, 0)
    if in_use:
        raise KeyOperationRefused(
            f"{in_use} stored values still use key {key_id}; run `vigie keys rotate`"
        )
    keys = {k: v for k, v in conf["keys"].items() if k != key_id}
    _persist_keyring({"active": conf["active"], "keys": keys})
