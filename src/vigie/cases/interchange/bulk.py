"""Insert many new, already validated case records fast (the bulk import path).

Two steps, so that the first can run in another process (vigie.cases.interchange.pipeline)
while the importer's process writes; this module builds, ``bulk_write`` writes:

- :func:`build` turns validated records (``records.Parsed``) into plain tuples, one list per
  table, in each table's column order, with every value already adapted to the database:
  dates and JSON as Django adapts them, identities encrypted with the active field key
  (AES-GCM, one value per field) and their blind indexes, the filter index
  (``services.compute_index``), derived age bands and groups (``records.fill_derived``),
  perpetrator group attributes (``services._fill_perpetrator``), time-ordered uuids
  (:class:`Uuid7`). It never touches the database. Ids are *relative*: ``0..n-1`` per table
  and batch, and the links between the rows of a record (case, victim, incident) use them.
- :func:`vigie.cases.interchange.bulk_write.write` reserves real ids for each table
  (SQLite: after taking the write lock, the ids after the largest ever used; PostgreSQL:
  from the table's sequence; ADR 0323 says why by hand), maps the relative ids onto them
  and runs one ``executemany`` per table, inside the caller's transaction. No row is read
  back.

The stored values are the ORM's (a test compares the two paths record for record). What it
skips on purpose: model instances, ``save()`` and the ``post_save`` signals (so no per-row
change-log entry and no per-row screening job). The import job (``core.Job``: who, when,
which file, the report) is the record of change of the rows it wrote, and
``services.import_built`` announces them in one ``vigie.core.events`` change event per batch.
See docs/adr/0310-bulk-import-raw-executemany.md and docs/adr/0312-import-pipeline.md.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import hmac
import operator
import os
import time
import uuid as uuidlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from vigie.cases import records, services
from vigie.cases.interchange import digests
from vigie.cases.models import Case
from vigie.cases.search import terms
from vigie.core import crypto
from vigie.core.fields import BlindIndexField, EncryptedTextField

BULK_CACHE_KIB = 64 * 1024  # SQLite page cache while a bulk import runs (default: 2 MiB)
CASE = "case"
TABLES = [CASE, *services.ORDER]  # insert order: a row's links point to earlier tables
JSON_CACHE = 4096  # distinct code lists kept already encoded, per column


def table_model(table: str) -> type[models.Model]:
    return Case if table == CASE else records.CHILDREN[table]


@dataclass
class _Plan:
    model: type[models.Model]
    names: list[str]  # attnames in insert order, "id" first
    defaults: dict[str, Any]
    callable_defaults: list[tuple[str, Callable[[], Any]]]
    adapt: list[tuple[str, Callable[[Any], Any]]]  # applied to values that are not None
    encrypted: list[tuple[str, Callable[[Any], str], str]]  # attname, to_plain, context
    blind: list[tuple[str, str, str]]  # attname, source attname, context
    now: list[str]
    links: list[tuple[int, str]]  # (position, table its relative id belongs to)
    case_pos: int
    insert_sql: str
    get: Callable[[dict[str, Any]], tuple[Any, ...]]


_PLANS: dict[tuple[str, type[models.Model]], _Plan] = {}
_LINKS = {"id": "", "case_id": CASE, "victim_id": "victims", "incident_id": "incidents"}


def _json_adapter(f: models.JSONField[Any]) -> Callable[[Any], Any]:
    """JSON as Django adapts it; lists of codes (few distinct ones) encoded once."""
    ops, encoder = connection.ops, f.encoder
    cache: dict[tuple[Any, ...], Any] = {}

    def adapt(value: Any) -> Any:
        if type(value) is not list:
            return ops.adapt_json_value(value, encoder)
        try:
            key = tuple(value)
            return cache[key]
        except KeyError:
            if len(cache) >= JSON_CACHE:
                cache.clear()
            out = cache[key] = ops.adapt_json_value(value, encoder)
            return out
        except TypeError:  # an element that is not hashable: not a list of codes
            return ops.adapt_json_value(value, encoder)

    return adapt


def table_plan(model: type[models.Model]) -> _Plan:
    key = (connection.vendor, model)
    if key in _PLANS:
        return _PLANS[key]
    ops = connection.ops
    names: list[str] = []
    defaults: dict[str, Any] = {}
    callable_defaults: list[tuple[str, Callable[[], Any]]] = []
    adapt: list[tuple[str, Callable[[Any], Any]]] = []
    encrypted: list[tuple[str, Callable[[Any], str], str]] = []
    blind: list[tuple[str, str, str]] = []
    now: list[str] = []
    links: list[tuple[int, str]] = []
    for f in model._meta.concrete_fields:
        name = f.attname
        if name in _LINKS:
            links.append((len(names), _LINKS[name] or _table_of(model)))
        names.append(name)
        if isinstance(f, BlindIndexField):
            blind.append((name, f.source, f.index_context))
        elif isinstance(f, EncryptedTextField):
            encrypted.append((name, f.to_plain, f.crypto_context))
        elif isinstance(f, models.DateTimeField):
            now.append(name)  # created_at / updated_at: the batch's time, adapted once
        elif isinstance(f, models.DateField):
            adapt.append((name, ops.adapt_datefield_value))
        elif isinstance(f, models.JSONField):
            adapt.append((name, _json_adapter(f)))
        if f.primary_key or name == "uuid":
            continue
        if f.has_default():
            if callable(f.default):
                callable_defaults.append((name, f.default))
            else:
                defaults[name] = f.get_default()
        else:
            defaults[name] = None if f.null or isinstance(f, models.ForeignKey) else ""
    q = ops.quote_name
    plan = _Plan(
        model,
        names,
        defaults,
        callable_defaults,
        adapt,
        encrypted,
        blind,
        now,
        links,
        names.index("case_id") if "case_id" in names else 0,
        f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(n) for n in names)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(names))})",
        cast(Callable[[dict[str, Any]], tuple[Any, ...]], operator.itemgetter(*names)),
    )
    _PLANS[key] = plan
    return plan


def _table_of(model: type[models.Model]) -> str:
    return next(t for t in TABLES if table_model(t) is model)


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


class Uuid7:
    """Time-ordered uuids (RFC 9562, version 7): 48 bits of Unix time in milliseconds, a
    12-bit counter (strictly increasing within the process, also within one millisecond),
    62 random bits. New rows then land at the end of each table's uuid index instead of on
    a random page of it (docs/adr/0312)."""

    def __init__(self) -> None:
        self.last = 0

    def take(self, n: int, *, native: bool) -> list[Any]:
        """``n`` uuids, in increasing order: ``uuid.UUID`` (native) or 32 hex digits."""
        first = max((time.time_ns() // 1_000_000) << 12, self.last + 1)
        self.last = first + n - 1
        noise = os.urandom(8 * n)
        out: list[Any] = []
        for i in range(n):
            hi = first + i
            rand = int.from_bytes(noise[8 * i : 8 * i + 8], "big") >> 2
            value = ((hi >> 12) << 80) | ((0x7000 | (hi & 0xFFF)) << 64) | (1 << 63) | rand
            out.append(uuidlib.UUID(int=value) if native else f"{value:032x}")
        return out


UUID7 = Uuid7()


class _Keys:
    """The active field key and the blind-index key, set up once per batch (the same
    formats as ``crypto.encrypt`` and ``crypto.blind_index``)."""

    def __init__(self) -> None:
        active, keys = crypto.keyring()
        self.aes = AESGCM(keys[active])
        self.prefix = f"{crypto.PREFIX}:{active}:"
        key = bytes.fromhex(settings.VIGIE_BLIND_INDEX_KEY)
        self.mac = hmac.new(key, digestmod=hashlib.sha256)

    def seal(self, text: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self.aes.encrypt(nonce, text.encode("utf-8"), context.encode())
        return self.prefix + base64.b64encode(nonce + sealed).decode("ascii")

    def blind(self, text: str, context: str) -> str:
        mac = self.mac.copy()
        mac.update(f"{context}\x00{crypto.normalise_for_index(text)}".encode())
        return mac.hexdigest()[:32]


class _Obj:
    """A stand-in for an unsaved model instance (attributes only)."""


def _namespace(plan: _Plan, values: dict[str, Any]) -> Any:
    """Every field at its default, then ``values`` (keys starting with "_", and the links
    "victim"/"incident" by key, are the record's own bookkeeping, never columns)."""
    ns = plan.defaults.copy()
    for name, make in plan.callable_defaults:
        ns[name] = make()
    ns.update(values)
    obj = _Obj()
    obj.__dict__ = ns
    return obj


@dataclass
class Built:
    """New records as rows ready to insert: per table, tuples in the plan's column order,
    with relative ids (the case of ``items[i]`` has id ``i``). Picklable."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    # the list's filter terms (vigie.cases.search.terms): (relative case id, term, created_at)
    terms: list[tuple[Any, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows.get(CASE, ()))

    @staticmethod
    def join(parts: Sequence[Built]) -> Built:
        """The inverse of :meth:`part`: the rows of ``parts`` one after the other, renumbered
        as if built together (the cases of ``parts[1]`` follow those of ``parts[0]``)."""
        plans = {t: table_plan(table_model(t)) for t in TABLES}
        out = Built(rows={t: [] for t in TABLES})
        base = dict.fromkeys(TABLES, 0)
        for built in parts:
            for table in TABLES:
                links = [(pos, base[target]) for pos, target in plans[table].links]
                rows = out.rows[table]
                for r in built.rows.get(table, ()):
                    values = list(r)
                    for pos, by in links:
                        if values[pos] is not None:
                            values[pos] += by
                    rows.append(tuple(values))
            out.terms += [(r[0] + base[CASE], *r[1:]) for r in built.terms]
            for table in TABLES:
                base[table] += len(built.rows.get(table, ()))
        return out

    def part(self, lo: int, hi: int) -> Built:
        """The rows of cases ``lo..hi-1`` alone, renumbered as if built on their own (case
        ``lo`` becomes ``0``), so that a batch built once can be written in several short
        transactions (ADR 0043). The rows of each table are in case order and their ids
        contiguous (:func:`build` appends them case by case), so a part is one slice per
        table and renumbering subtracts the slice's first id."""
        plans = {t: table_plan(table_model(t)) for t in TABLES}
        sliced: dict[str, list[tuple[Any, ...]]] = {}
        offset: dict[str, int] = {}
        for table in TABLES:
            rows = self.rows.get(table, [])
            pos = plans[table].case_pos
            start = bisect.bisect_left(rows, lo, key=operator.itemgetter(pos))
            end = bisect.bisect_left(rows, hi, lo=start, key=operator.itemgetter(pos))
            sliced[table] = rows[start:end]
            offset[table] = rows[start][0] if start < end else 0
        out = Built()
        for table in TABLES:
            links = [(pos, offset[target]) for pos, target in plans[table].links]
            renumbered = []
            for r in sliced[table]:
                values = list(r)
                for pos, by in links:
                    if values[pos] is not None:
                        values[pos] -= by
                renumbered.append(tuple(values))
            out.rows[table] = renumbered
        case = operator.itemgetter(0)  # terms are in case order too (terms.rows_for)
        start = bisect.bisect_left(self.terms, lo, key=case)
        end = bisect.bisect_left(self.terms, hi, lo=start, key=case)
        out.terms = [(r[0] - lo, *r[1:]) for r in self.terms[start:end]]
        return out

    def keep_stored(self, stored: dict[int, dict[str, str]]) -> None:
        """Give the cases at these relative ids, which update stored cases, the stored values
        of the indexed case fields (``INDEXED``) their records do not give, in their search
        text, codes index and terms.

        :func:`build` derives those from the record alone, before anyone knows whether it
        updates a stored case: a reference drawn for a record that gives none, an empty
        summary, area or country for a file without that column. The update keeps the
        stored values (the record does not give them) but writes the derived columns, so a
        search by the case's own reference or summary no longer found it (ADR 0047, tenth
        round). The search text begins with the case's reference, summary, area and source
        id (``services.compute_index``); the case's country is one token of its codes."""
        plan = table_plan(Case)
        at = {n: plan.names.index(n) for n in (*INDEXED, "source_record_id")}
        text, codes = plan.names.index("search_text"), plan.names.index("codes_index")
        rows = self.rows[CASE]
        when: dict[int, Any] = {}
        for r in self.terms:
            when.setdefault(r[0], r[2])
        for i, given in stored.items():
            values = list(rows[i])
            built = _head(values, at)
            assert values[text].startswith(built), "the search text begins with the case's own"
            if given.get("country") and values[at["country"]] != given["country"]:
                tokens = set(values[codes].split()) | {f"country:{given['country']}"}
                values[codes] = " " + " ".join(sorted(tokens)) + " "
            for name, value in given.items():
                values[at[name]] = value
            values[text] = _head(values, at) + values[text][len(built) :]
            rows[i] = tuple(values)
        kept = [r for r in self.terms if r[0] not in stored]
        for i in stored:
            derived = terms.terms_of(rows[i][codes], rows[i][text])
            kept += [(i, t, when[i]) for t in derived]
        self.terms = sorted(kept, key=operator.itemgetter(0, 1))


#: The case fields ``services.compute_index`` reads besides the source id (the same for an
#: update: it is how the stored case was found): :meth:`Built.keep_stored`.
INDEXED = ("reference", "summary", "area", "country")


def _head(values: list[Any], at: dict[str, int]) -> str:
    """The start of a case's search text: its own fields' part (``services.compute_index``)."""
    own = (values[at[n]] for n in services.SEARCH_HEAD)
    return " ".join(t for t in own if t).casefold()


def build(organisation_id: int, user_id: int | None, items: Sequence[records.Parsed]) -> Built:
    """The rows of new cases (validated ``records.Parsed``); no database access."""
    plans = {t: table_plan(table_model(t)) for t in TABLES}
    objs: dict[str, list[Any]] = {t: [] for t in TABLES}
    for i, parsed in enumerate(items):
        if parsed.problems:
            raise services.RecordInvalid(parsed.problems)
        case = _namespace(plans[CASE], parsed.case)
        case.id = i
        case.organisation_id = organisation_id
        case.created_by_id = user_id
        if not case.reference:
            case.reference = services._new_reference()
        built: dict[str, list[Any]] = {}
        keyed: dict[str, dict[str, Any]] = {"victims": {}, "incidents": {}}
        for section in services.ORDER:
            rows = parsed.children.get(section)
            if not rows:
                built[section] = []
                continue
            plan, out, here = plans[section], objs[section], []
            for row in rows:
                obj = _namespace(plan, row)
                obj.id = len(out)
                obj.case_id, obj.organisation_id = i, organisation_id
                for link, group in (("victim", "victims"), ("incident", "incidents")):
                    if link in row:
                        target = keyed[group].get(row[link]) if row[link] else None
                        setattr(obj, f"{link}_id", target.id if target is not None else None)
                if section == "victims":
                    records.fill_derived(cast(Any, obj))
                elif section == "perpetrators":
                    services._fill_perpetrator(cast(Any, obj))
                if section in keyed:
                    keyed[section][row["_key"]] = obj
                out.append(obj)
                here.append(obj)
            built[section] = here
        services.compute_index(
            cast(Any, case),
            incidents=built.get("incidents", []),
            victims=built.get("victims", []),
            exploitations=built.get("exploitations", []),
            perpetrators=built.get("perpetrators", []),
            route=built.get("route", []),
        )
        objs[CASE].append(case)
    moment = timezone.now()
    now = connection.ops.adapt_datetimefield_value(moment)
    keys = _Keys()
    native = bool(connection.features.has_native_uuid_field)
    result = Built(terms=terms.rows_for(objs[CASE], created_at=moment))
    for case, parsed in zip(objs[CASE], items, strict=True):
        case.content_digest = digests.of(keys.mac, parsed.case, parsed.children)
    for table in TABLES:
        result.rows[table] = _rows(plans[table], objs[table], now, keys, native)
    return result


def _rows(
    plan: _Plan, objs: list[Any], now: Any, keys: _Keys, native: bool
) -> list[tuple[Any, ...]]:
    if not objs:
        return []
    uuids = UUID7.take(len(objs), native=native)
    blind, seal, get = keys.blind, keys.seal, plan.get
    out = []
    for obj, uid in zip(objs, uuids, strict=True):
        d = obj.__dict__
        for name, source, context in plan.blind:  # before the source is encrypted
            value = d[source]
            d[name] = "" if value is None or value == "" else blind(str(value), context)
        for name, to_plain, context in plan.encrypted:
            value = d[name]
            d[name] = None if value is None or value == "" else seal(to_plain(value), context)
        for name, adapt in plan.adapt:
            value = d[name]
            if value is not None:
                d[name] = adapt(value)
        for name in plan.now:
            d[name] = now
        d["uuid"] = uid
        out.append(get(d))
    return out
