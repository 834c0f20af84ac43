"""The case list's filter terms: one ``CaseTerm`` row per (case, term), so that the cases
with a given code or word are an index range in list order (docs/adr/0313).

A case's terms come from its filter index and its searchable text (both computed by
``services.compute_index``):

- codes the list filters on: ``country:IQ``, ``form:sexual_slavery``, ``sex:female``,
  ``age:child``, ``group:isil`` (the other tokens of ``codes_index`` are not list filters);
- words of the non-identifying text: ``w:`` + each casefolded word (``\\w+``), cut to
  :data:`WORD_MAX` characters. Text search matches word prefixes: ``q=sinj`` finds "Sinjar",
  ``q=injar`` does not.

Every write of a case keeps its terms in step: ``services`` (create, update, and the
cascade on delete), ``bulk.build``/``bulk_write.write`` (one ``executemany`` per batch,
:func:`insert`) and, for rows written before this table existed, migration 0004 / ``vigie cases
rebuild-terms`` (:func:`rebuild`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet

FILTER_KINDS = ("country", "form", "sex", "age", "group")
WORD = "w:"
WORD_MAX = 40  # characters of a word kept (longer words match on their first 40)
MAX_WORDS = 8  # words of a search query used
# Filters are counted up to this many rows to find the most selective (it drives the query);
# above it, filters are ranked by kind (see restrict).
DRIVE_CAP = 20_000
# A prefix that several words share is sorted (not walked in order) when it has this many
# term rows at most; above, it is checked case by case.
PREFIX_SORT_CAP = 5_000
# A driver with more term rows than this is intersected in the index with the other large
# terms (one merge of their ranges) instead of probing every one of its cases for them.
INTERSECT_MIN = 1_000
BATCH = 2_000  # cases per batch when rebuilding terms

_WORD_RE = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The distinct casefolded words of ``text`` (cut to ``WORD_MAX``), in order."""
    seen: dict[str, None] = {}
    for w in _WORD_RE.findall(text.casefold()):
        seen.setdefault(w[:WORD_MAX], None)
    return list(seen)


def terms_of(codes_index: str, search_text: str) -> set[str]:
    """The terms of a case from its ``codes_index`` and ``search_text``."""
    out = {t for t in codes_index.split() if t.partition(":")[0] in FILTER_KINDS}
    out.update(WORD + w for w in words(search_text))
    return out


# --- writes --------------------------------------------------------------------------------


def rows_for(cases: Iterable[Any], created_at: Any = None) -> list[tuple[Any, ...]]:
    """``(case_id, term, created_at)`` rows of ``cases`` (objects with ``id``,
    ``created_at`` unless given, ``codes_index``, ``search_text``), ``created_at`` adapted
    for the database."""
    adapt = connection.ops.adapt_datetimefield_value
    same = adapt(created_at) if created_at is not None else None
    out: list[tuple[Any, ...]] = []
    for case in cases:
        when = same if same is not None else adapt(case.created_at)
        out.extend((case.id, t, when) for t in sorted(terms_of(case.codes_index, case.search_text)))
    return out


def _insert_sql() -> str:
    from vigie.cases.models import CaseTerm

    q = connection.ops.quote_name
    return (
        f"INSERT INTO {q(CaseTerm._meta.db_table)} "  # noqa: S608 (names from _meta)
        f"({q('case_id')}, {q('term')}, {q('created_at')}) VALUES (%s, %s, %s)"
    )


def insert_rows(cursor: Any, cases: Iterable[Any], created_at: Any = None) -> None:
    """Insert the terms of new ``cases`` with one ``executemany`` (the bulk import path:
    ``created_at`` is the batch's)."""
    insert(cursor, rows_for(cases, created_at))


def insert(cursor: Any, rows: list[tuple[Any, ...]]) -> None:
    """Insert ``(case_id, term, created_at)`` rows (as :func:`rows_for` makes them)."""
    if rows:
        cursor.executemany(_insert_sql(), rows)


def refresh(case: Any) -> None:
    """Replace the terms of one saved case (after ``services`` changed it)."""
    from vigie.cases.models import CaseTerm

    CaseTerm.objects.filter(case_id=case.pk).delete()
    with connection.cursor() as cursor:
        insert_rows(cursor, [case])


def rebuild(*, replace: bool = True, progress: Callable[[int, int], None] | None = None) -> int:
    """(Re)build the terms of every case from its stored index and text, by id batches;
    the number of cases done. ``replace=False``: the table is known empty (migration 0004),
    nothing to delete first."""
    from vigie.cases.models import Case, CaseTerm

    done = 0
    total = Case.all_objects.count()  # staged cases too: published later
    last = 0
    with connection.cursor() as cursor:
        while True:
            batch = list(
                Case.all_objects.filter(pk__gt=last)
                .order_by("pk")
                .only("id", "created_at", "codes_index", "search_text")[:BATCH]
            )
            if not batch:
                break
            last = batch[-1].pk
            ids = [c.pk for c in batch]
            if replace:
                CaseTerm.objects.filter(case_id__in=ids).delete()
            insert_rows(cursor, batch)
            done += len(ids)
            if progress:
                progress(done, total)
    return done


# --- reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """One term a case must have: exactly ``term``, or (``prefix``) any term starting so."""

    term: str
    prefix: bool = False

    def q(self, prefix: str = "") -> Q:
        if not self.prefix:
            return Q(**{f"{prefix}term": self.term})
        return Q(**{f"{prefix}term__gte": self.term, f"{prefix}term__lt": _after(self.term)})


def _after(prefix: str) -> str:
    """The least string greater than every string starting with ``prefix`` (binary order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def matches_for(codes: list[tuple[str, str]], q: str) -> list[Match]:
    """The terms a case must have for these code filters (``(kind, value)``) and search."""
    out = [Match(f"{kind}:{value}") for kind, value in codes if value]
    for w in words(q)[:MAX_WORDS]:
        out.append(Match(WORD + w, prefix=True))
    return list(dict.fromkeys(out))


@dataclass
class Survey:
    """What one query says about the filters: each match's term rows counted up to the cap
    (+1), the first and last word of each prefix, and the cases of the indexed column
    filters counted the same way (None: no such filter)."""

    counts: list[int]
    spans: list[tuple[str | None, str | None]]
    columns: int | None


def survey(matches: list[Match], columns: dict[str, str], cap: int) -> Survey:
    """One query: see :class:`Survey`. ``columns``: equality filters on the case's indexed
    list columns (``conflict_situation``, ``verification_status``)."""
    from vigie.cases.models import Case, CaseTerm

    q = connection.ops.quote_name
    table = q(CaseTerm._meta.db_table)
    term = q("term")
    parts: list[str] = []
    params: list[Any] = []
    for m in matches:
        where = f"{term} = %s" if not m.prefix else f"{term} >= %s AND {term} < %s"
        args = [m.term] if not m.prefix else [m.term, _after(m.term)]
        parts.append(
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {where} LIMIT {cap + 1}) s)"  # noqa: S608
        )
        params += args
        if m.prefix:
            for way in ("", " DESC"):
                parts.append(
                    f"(SELECT {term} FROM {table} WHERE {where} ORDER BY {term}{way} LIMIT 1)"  # noqa: S608
                )
                params += args
    if columns:
        where = " AND ".join(f"{q(name)} = %s" for name in sorted(columns))
        parts.append(
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM {q(Case._meta.db_table)} WHERE {where}"  # noqa: S608
            f" LIMIT {cap + 1}) s)"
        )
        params += [columns[name] for name in sorted(columns)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = list(cursor.fetchone())
    counts, spans = [], []
    for m in matches:
        counts.append(int(row.pop(0)))
        spans.append((row.pop(0), row.pop(0)) if m.prefix else (m.term, m.term))
    return Survey(counts, spans, int(row.pop(0)) if columns else None)


def _rank(term: str) -> int:
    """Order of filters over the cap (whose counts tie), most selective kinds first: the
    situation column (a dozen values, see :func:`restrict`), codes with many values, words
    (the boilerplate of a source can be in every case), sex and age group (two or three
    values: always common)."""
    if term.startswith(("country:", "form:", "group:")):
        return 1
    if term.startswith(WORD):
        return 2
    return 4


def restrict(
    qs: QuerySet[Any], matches: list[Match], columns: dict[str, str] | None = None
) -> QuerySet[Any]:
    """``qs`` (cases) with only those that have every one of ``matches``.

    One query (:func:`survey`) counts each match's term rows and the cases of the indexed
    column filters (``columns``, already applied to ``qs``), each up to :data:`DRIVE_CAP`
    + 1. A match with no row empties the list (no further query). Otherwise the most
    selective filter drives:

    - a match that is one term (an exact code, or a prefix only one word of the index
      has): the cases are joined from its index range, in list order (ordered by the
      term's copy of ``created_at`` and case id, annotated ``list_at`` / ``list_id``; see
      :func:`vigie.cases.selectors.for_list`), and every other match is an indexed
      ``EXISTS`` on the term's case id, checked before the case row is read. A page, a
      cursor and the capped count stop early in that range; a rare driver bounds the read.
      A driver of more than :data:`INTERSECT_MIN` rows is first intersected in the index
      with the other large terms (:func:`_mergeable`, :func:`_intersect`): when they have
      at most ``selectors.LIST_KEEP_IDS`` cases together, the list is those ids (the other
      matches probed on them), read by id; otherwise the range is walked as said;
    - the column filters: their list index is walked (ADR 311); codes are tested in the
      case row's ``codes_index`` (the row is read anyway), words with ``EXISTS``;
    - a prefix several words share, with at most :data:`PREFIX_SORT_CAP` rows: its cases by
      ``id IN (...)``, sorted.
    """
    from vigie.cases.models import CaseTerm

    if not matches:
        return qs
    columns = columns or {}
    found = survey(matches, columns, DRIVE_CAP)
    if min(found.counts) == 0:
        return qs.none()
    candidates: list[tuple[int, int, int]] = []  # (count, rank, index; -1: the columns)
    for i, (m, count) in enumerate(zip(matches, found.counts, strict=True)):
        candidates.append((count, _rank(m.term), i))
    if found.columns is not None:
        candidates.append((found.columns, 0 if "conflict_situation" in columns else 3, -1))
    for count, _order, i in sorted(candidates):
        if i == -1:
            break  # walk the column filters' index
        m = matches[i]
        lo, hi = found.spans[i]
        if lo is not None and lo == hi:
            if count > INTERSECT_MIN:
                merged = _mergeable(matches, found, i)
                together = _intersect([str(found.spans[j][0]) for j in merged])
                if together is not None:
                    if not together:
                        return qs.none()
                    qs = qs.filter(pk__in=together)
                    for j, other in enumerate(matches):
                        if j not in merged:
                            qs = qs.filter(_has(other, "pk"))
                    return qs
            rest = [x for j, x in enumerate(matches) if j != i]
            qs = qs.filter(terms__term=lo).alias(
                list_at=F("terms__created_at"), list_id=F("terms__case_id")
            )
            for other in rest:
                qs = qs.filter(_has(other, "list_id"))
            return qs
        if count <= PREFIX_SORT_CAP:
            ids = CaseTerm.objects.filter(m.q())
            for other in matches:
                if other != m:
                    ids = ids.filter(_has(other, "case_id"))
            return qs.filter(pk__in=ids.values("case_id"))
    # walking cases: their rows are read anyway, so a code is tested in the row's filter
    # index (cheaper than an index probe per case); words are probed in the term index
    for m in matches:
        if m.prefix:
            qs = qs.filter(_has(m, "pk"))
        else:
            qs = qs.filter(codes_index__contains=f" {m.term} ")
    return qs


def _mergeable(matches: list[Match], found: Survey, driver: int) -> list[int]:
    """The matches to intersect with the driver ``driver`` (itself first): the single terms
    whose ranges are known small (counted under the cap) and, when the driver is over the cap
    too, the codes with many values and the words. Sex and age group over the cap (half the
    cases or more) are left to a probe of the few cases the intersection leaves: merging their
    range would walk it whole."""
    out = [driver]
    big = found.counts[driver] > DRIVE_CAP
    for j, (m, count) in enumerate(zip(matches, found.counts, strict=True)):
        lo, hi = found.spans[j]
        if j == driver or lo is None or lo != hi:
            continue
        if count <= DRIVE_CAP or (big and _rank(m.term) <= 2):
            out.append(j)
    return out


def _intersect(terms: list[str]) -> list[int] | None:
    """The ids of the cases that have every one of ``terms``, in list order, when there are
    at most ``selectors.LIST_KEEP_IDS``; None when there are more (or only one term).

    One ``INTERSECT`` of the terms' ``caseterm_list`` ranges (``created_at``, case id: the
    same pair in every term of a case), ordered as the index is: SQLite merges the ranges
    in step (about 0.1 µs a row, against ~2 µs for a probe per driver case) and stops at the
    limit; PostgreSQL runs the same SQL (hashed or sorted set operation)."""
    from vigie.cases import selectors
    from vigie.cases.models import CaseTerm

    if len(terms) < 2:
        return None  # the driver alone: its range is walked in order
    q = connection.ops.quote_name
    keep = selectors.LIST_KEEP_IDS
    arm = (
        f"SELECT {q('created_at')}, {q('case_id')} FROM {q(CaseTerm._meta.db_table)}"  # noqa: S608
        f" WHERE {q('term')} = %s"
    )
    sql = " INTERSECT ".join([arm] * len(terms)) + f" ORDER BY 1 DESC, 2 DESC LIMIT {keep + 1}"
    with connection.cursor() as cursor:
        cursor.execute(sql, terms)
        ids = [row[1] for row in cursor.fetchall()]
    return ids if len(ids) <= keep else None


def _has(match: Match, outer: str) -> Exists:
    """The case whose id is ``outer`` (in the outer query) has ``match``."""
    from vigie.cases.models import CaseTerm

    return Exists(CaseTerm.objects.filter(match.q(), case_id=OuterRef(outer)))
