"""Insert many new, already validated case records fast (the bulk import path).

One ``executemany`` per table and batch on the connection Django already holds, inside the
caller's transaction, with the values adapted to the database once per column kind (the
same adapters Django uses: ``connection.ops``, the fields' own encryption and blind index).
What it keeps from the ORM path (:func:`vigie.cases.services.create_many`):

- the same rows and values: defaults of every field, derived age bands and groups
  (``records.fill_derived``), perpetrator group attributes (``services._fill_perpetrator``),
  the filter index (``services.compute_index``);
- identities encrypted with the active field key (AES-GCM, one value per field) and their
  blind indexes; empty values are stored as NULL / "" without encryption, as the fields do;
- links between the rows of a record (victim, incident) resolved by the uuids just written
  (one indexed ``SELECT uuid, id`` per table and batch, never per row).

What it skips on purpose: model instances, ``save()`` and the ``post_save`` signals (so no
per-row change-log entry and no per-row screening job). The import job (``core.Job``: who,
when, which file, the report) is the record of change of the rows it wrote, and
``vigie.cases.signals.cases_imported`` is sent once per import for follow-up work.
See docs/adr/0310-bulk-import-raw-executemany.md.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

from vigie.cases import records, services, terms
from vigie.cases.models import Case
from vigie.core import crypto
from vigie.core.fields import BlindIndexField, EncryptedTextField
from vigie.core.models import Organisation

BULK_CACHE_KIB = 64 * 1024  # SQLite page cache while a bulk import runs (default: 2 MiB)
IN_CHUNK = 900  # parameters per ``IN (...)`` lookup (under every backend's limit)


@dataclass
class _Column:
    attname: str
    name: str
    adapt: Callable[[Any], Any] | None  # None: the value as it is
    default: Any
    callable_default: bool
    source: str = ""  # blind index: the field it digests
    context: str = ""
    now: bool = False


@dataclass
class _Table:
    model: type[models.Model]
    columns: list[_Column]
    defaults: dict[str, Any]
    callable_defaults: list[tuple[str, Callable[[], Any]]]
    insert_sql: str
    select_ids_sql: str  # ... WHERE uuid IN (%s) — formatted with the placeholders


_PLANS: dict[tuple[str, type[models.Model]], _Table] = {}


def _plan(model: type[models.Model]) -> _Table:
    key = (connection.vendor, model)
    if key in _PLANS:
        return _PLANS[key]
    ops = connection.ops
    columns: list[_Column] = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        adapt: Callable[[Any], Any] | None = None
        col = _Column(f.attname, f.name, None, None, False)
        if isinstance(f, BlindIndexField):
            col.source, col.context = f.source, f.index_context
        elif isinstance(f, EncryptedTextField):
            adapt = f.get_prep_value
        elif isinstance(f, models.UUIDField):
            adapt = None if connection.features.has_native_uuid_field else _hex
        elif isinstance(f, models.DateTimeField):
            col.now = True  # created_at / updated_at: the batch's time, adapted once
        elif isinstance(f, models.DateField):
            adapt = ops.adapt_datefield_value
        elif isinstance(f, models.JSONField):
            encoder = f.encoder

            def adapt(value: Any, encoder: Any = encoder) -> Any:
                return ops.adapt_json_value(value, encoder)

        col.adapt = adapt
        if f.has_default():
            col.callable_default = callable(f.default)
            col.default = f.default if col.callable_default else f.get_default()
        else:
            col.default = None if f.null or isinstance(f, models.ForeignKey) else ""
        columns.append(col)
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    names = ", ".join(q(c.attname) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    plan = _Table(
        model,
        columns,
        {c.name: c.default for c in columns if not c.callable_default},
        [(c.name, c.default) for c in columns if c.callable_default and c.name != "uuid"],
        f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (names from _meta)
        f"SELECT {q('uuid')}, {q('id')} FROM {table} WHERE {q('uuid')} IN ({{}})",  # noqa: S608
    )
    _PLANS[key] = plan
    return plan


@contextmanager
def tuned_for_bulk() -> Iterator[None]:
    """SQLite: a larger page cache while importing (indexes of large tables stay in memory),
    restored afterwards. Durability is untouched (WAL, synchronous=NORMAL as configured)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def _hex(value: uuidlib.UUID) -> str:
    return value.hex


class _Obj:
    """A stand-in for an unsaved model instance (attributes only)."""


def _namespace(plan: _Table, values: dict[str, Any]) -> Any:
    """A stand-in for an unsaved instance: every field at its default, then ``values``
    (keys starting with "_" are the record's own bookkeeping, never columns)."""
    ns = plan.defaults.copy()
    for name, make in plan.callable_defaults:
        ns[name] = make()
    ns.update(values)
    ns["uuid"] = uuidlib.uuid4()
    obj = _Obj()
    obj.__dict__ = ns
    return obj


def _rows(plan: _Table, objs: list[Any], now: Any) -> list[tuple[Any, ...]]:
    """The parameters of each object's INSERT, in the plan's column order."""
    now_db = connection.ops.adapt_datetimefield_value(now)
    steps = [
        (
            c.attname if c.attname in objs[0].__dict__ else c.name,
            c.adapt,
            c.source,
            c.context,
            c.now,
        )
        for c in plan.columns
    ]
    blind = crypto.blind_index
    out = []
    for o in objs:
        d = o.__dict__
        row: list[Any] = []
        for name, adapt, source, context, is_now in steps:
            if source:
                value = d[source]
                row.append("" if value is None or value == "" else blind(str(value), context))
            elif is_now:
                row.append(now_db)
            else:
                value = d[name]
                row.append(value if adapt is None or value is None else adapt(value))
        out.append(tuple(row))
    return out


def _insert(plan: _Table, objs: list[Any], cursor: Any, now: Any) -> None:
    if objs:
        cursor.executemany(plan.insert_sql, _rows(plan, objs, now))


def _fetch_ids(plan: _Table, objs: Iterable[Any], cursor: Any) -> None:
    """Set ``id`` on each object from the rows just inserted (looked up by uuid)."""
    uuid_col = next(c for c in plan.columns if c.name == "uuid")
    by_uuid: dict[Any, Any] = {}
    for o in objs:
        key = uuid_col.adapt(o.uuid) if uuid_col.adapt else o.uuid
        by_uuid[key] = o
    keys = list(by_uuid)
    for start in range(0, len(keys), IN_CHUNK):
        chunk = keys[start : start + IN_CHUNK]
        cursor.execute(plan.select_ids_sql.format(", ".join(["%s"] * len(chunk))), chunk)
        for uuid_value, pk in cursor.fetchall():
            by_uuid[uuid_value].id = pk
    missing = [o for o in by_uuid.values() if getattr(o, "id", None) is None]
    if missing:  # pragma: no cover - would mean the insert silently dropped rows
        raise RuntimeError(f"{len(missing)} inserted {plan.model.__name__} rows not found")


def insert_records(
    organisation: Organisation, items: list[records.Parsed], *, created_by: Any = None
) -> list[int]:
    """Insert new cases (validated ``records.Parsed``) with all their rows; their ids.

    Call inside a transaction (the importer holds one per batch, or one for the file).
    """
    now = timezone.now()
    cplan = _plan(Case)
    user_id = getattr(created_by, "pk", None)
    cases: list[Any] = []
    children: dict[str, list[Any]] = {section: [] for section in services.ORDER}
    plans = {section: _plan(records.CHILDREN[section]) for section in services.ORDER}
    for parsed in items:
        if parsed.problems:
            raise services.RecordInvalid(parsed.problems)
        case = _namespace(cplan, parsed.case)
        case.organisation_id = organisation.pk
        case.created_by_id = user_id
        if not case.reference:
            case.reference = services._new_reference()
        built: dict[str, list[Any]] = {}
        for section in services.ORDER:
            plan = plans[section]
            objs = []
            for row in parsed.children.get(section, []):
                obj = _namespace(plan, row)
                obj.case, obj.organisation_id = case, organisation.pk
                obj.key = row["_key"]
                if section == "victims":
                    records.fill_derived(cast(Any, obj))
                elif section == "perpetrators":
                    services._fill_perpetrator(cast(Any, obj))
                objs.append(obj)
            built[section] = objs
            children[section].extend(objs)
        services.compute_index(
            cast(Any, case),
            incidents=built["incidents"],
            victims=built["victims"],
            exploitations=built["exploitations"],
            perpetrators=built["perpetrators"],
            route=built["route"],
        )
        case.built = built
        cases.append(case)
    with connection.cursor() as cursor:
        _insert(cplan, cases, cursor, now)
        _fetch_ids(cplan, cases, cursor)
        terms.insert_rows(cursor, cases, created_at=now)  # the list's filter terms
        for section in services.ORDER:
            plan = plans[section]
            objs = children[section]
            for obj in objs:
                obj.case_id = obj.case.id
                for link, group in (("victim", "victims"), ("incident", "incidents")):
                    if link in obj.__dict__:
                        key = obj.__dict__[link]
                        target = _by_key(obj.case.built[group], key) if key else None
                        setattr(obj, f"{link}_id", target.id if target is not None else None)
            _insert(plan, objs, cursor, now)
            if section in ("incidents", "victims") and objs:
                _fetch_ids(plan, objs, cursor)
    return [c.id for c in cases]


def _by_key(objs: list[Any], key: str) -> Any:
    for o in objs:
        if o.key == key:
            return o
    return None
