"""The accounts an imported transaction file names, written in bulk: created when first
seen, their dates widened (and holder filled) otherwise, with no model instance per account
(ADR 0806). Split from vigie.finance.importer."""

# SQL is assembled from the model's quoted table and column names; values are bound parameters.
# ruff: noqa: S608
from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import CharField, DateTimeField, ForeignKey

from vigie.core import crypto
from vigie.core.fields import EncryptedTextField
from vigie.finance.models import Account


def _record_accounts(
    organisation: Any, accounts: list[tuple[Any, ...]], tz: Any
) -> tuple[list[int], list[int]]:
    """Create the accounts first seen in this file; widen the dates (and fill the holder) of
    the others. No model instance per account and no ``bulk_update``: at half a million
    accounts (a ten-million-row file) those cost minutes (ADR 0806)."""
    by_key = {
        key: (str(number), first, last, country, holder)
        for key, number, first, last, country, holder in accounts
    }
    known: dict[str, tuple[int, Any, Any, bool]] = {}
    keys_list = list(by_key)
    ours = Account.objects.filter(organisation=organisation)
    # Many keys: one read of the organisation's accounts beats hundreds of IN (5,000 keys).
    chunks = (
        [ours]
        if len(keys_list) > 20_000
        else [
            ours.filter(number_key__in=keys_list[start : start + 5000])
            for start in range(0, len(keys_list), 5000)
        ]
    )
    for chunk in chunks:
        no_holder = set(chunk.filter(holder__isnull=True).values_list("pk", flat=True))
        for pk, key, first_seen, last_seen in chunk.values_list(
            "pk", "number_key", "first_seen", "last_seen"
        ):
            if key in by_key:
                known[key] = (pk, first_seen, last_seen, pk not in no_holder)
    fresh: list[dict[str, Any]] = []
    changed: list[tuple[int, Any, Any, str | None]] = []
    for key, (number, first, last, country, holder) in by_key.items():
        # make_aware with a zoneinfo zone is this replace, at a tenth of the cost.
        first_at = first.replace(tzinfo=tz) if first else None
        last_at = last.replace(tzinfo=tz) if last else None
        if key not in known:
            fresh.append(
                {
                    "organisation_id": organisation.pk,
                    "number": number,
                    "number_key": key,
                    "holder": holder or None,
                    "country": (country or "")[:2],
                    "first_seen": first_at,
                    "last_seen": last_at,
                }
            )
            continue
        pk, first_seen, last_seen, has_holder = known[key]
        new_first = first_at if first_at and (not first_seen or first_at < first_seen) else None
        new_last = last_at if last_at and (not last_seen or last_at > last_seen) else None
        new_holder = holder if holder and not has_holder else None
        if new_first or new_last or new_holder:
            changed.append((pk, new_first, new_last, new_holder))
    # Ids only grow: the new accounts are those above the highest id before the insert (the
    # import holds the write transaction), read in one query.
    before = ours.order_by("-pk").values_list("pk", flat=True).first() or 0
    insert_accounts(fresh)
    new_keys = {a["number_key"] for a in fresh}
    created = [
        pk
        for pk, key in ours.filter(pk__gt=before).values_list("pk", "number_key")
        if key in new_keys
    ]
    _widen_accounts(changed)
    return created, [pk for pk, *_ in changed]


def _prepare(field: Any, values: list[Any]) -> list[Any]:
    """One column's values as the database stores them (encrypted in one batch for an
    encrypted field, otherwise each through the field as the ORM would)."""
    if isinstance(field, EncryptedTextField):
        plain = [i for i, v in enumerate(values) if v is not None and v != ""]
        texts = (field.to_plain(values[i]) for i in plain)
        sealed = crypto.encrypt_many(texts, field.crypto_context)
        out: list[Any] = [None] * len(values)
        for i, text in zip(plain, sealed, strict=True):
            out[i] = text
        return out
    if isinstance(field, CharField | ForeignKey) and all(
        v is None or type(v) in (str, int) for v in values
    ):
        return values  # text and ids reach the database as they are
    if isinstance(field, DateTimeField):
        # What get_db_prep_save does for an aware datetime (all of them here) without the
        # per-value checks: a tenth of the cost over a million dates.
        adapt = connection.ops.adapt_datetimefield_value
        return [adapt(v) for v in values]
    return [field.get_db_prep_save(v, connection) for v in values]


def insert_accounts(rows: list[dict[str, Any]]) -> None:
    """Write new accounts (each a dict of field attribute name to value; absent fields take
    their default) with one ``executemany``. ``bulk_create`` of model instances costs about
    0.4 ms an account in instances, compiler and one encryption call at a time: minutes for
    the half-million accounts of a ten-million-row file. The values here go through the same
    fields (encrypted by ``crypto.encrypt_many``, the batch form of the fields' own call);
    ``tests/test_import.py`` checks with hypothesis that both paths store the same accounts."""
    if not rows:
        return
    fields = [f for f in Account._meta.concrete_fields if not f.primary_key]
    columns = []
    for f in fields:
        if any(f.attname in r for r in rows):
            values = [r[f.attname] if f.attname in r else f.get_default() for r in rows]
            columns.append(_prepare(f, values))
        else:  # the default, prepared once
            columns.append(_prepare(f, [f.get_default()]) * len(rows))
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(Account._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(*columns, strict=True)))


def _widen_accounts(changed: list[tuple[int, Any, Any, str | None]]) -> None:
    """Set the new first/last dates and the holder (if it was unknown) of known accounts."""
    if not changed:
        return
    meta = Account._meta
    firsts = _prepare(meta.get_field("first_seen"), [c[1] for c in changed])
    lasts = _prepare(meta.get_field("last_seen"), [c[2] for c in changed])
    holders = _prepare(meta.get_field("holder"), [c[3] for c in changed])
    q = connection.ops.quote_name
    sql = (
        f"UPDATE {q(meta.db_table)} SET first_seen = coalesce(%s, first_seen), "
        "last_seen = coalesce(%s, last_seen), holder = coalesce(holder, %s) WHERE id = %s"
    )
    rows = [(f, la, h, c[0]) for f, la, h, c in zip(firsts, lasts, holders, changed, strict=True)]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
