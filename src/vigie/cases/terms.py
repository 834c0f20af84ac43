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
cascade on delete), ``bulk.insert_records`` (one ``executemany`` per batch, :func:`insert_rows`)
and, for rows written before this table existed, migration 0004 / ``vigie cases
rebuild-terms`` (:func:`rebuild`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

FILTER_KINDS = ("country", "form", "sex", "age", "group")
WORD = "w:"
WORD_MAX = 40  # characters of a word kept (longer words match on their first 40)
MAX_WORDS = 8  # words of a search query used
# A filter that matches at most this many cases drives the query: its cases are read from the
# term index (newest first) and the other filters checked on each; above it, and when no
# filter does, the list order is walked and every filter checked on each case.
DRIVE_CAP = 100_000
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
    rows = rows_for(cases, created_at)
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
    total = Case.objects.count()
    last = 0
    with connection.cursor() as cursor:
        while True:
            batch = list(
                Case.objects.filter(pk__gt=last)
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


def capped_counts(matches: list[Match], cap: int) -> list[int]:
    """How many term rows each match has, each counted up to ``cap`` + 1 (one query)."""
    from vigie.cases.models import CaseTerm

    q = connection.ops.quote_name
    table = q(CaseTerm._meta.db_table)
    parts, params = [], []
    for m in matches:
        where = f"{q('term')} = %s" if not m.prefix else f"{q('term')} >= %s AND {q('term')} < %s"
        params += [m.term] if not m.prefix else [m.term, _after(m.term)]
        parts.append(
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {where} LIMIT {cap + 1}) s)"  # noqa: S608
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


def has(match: Match) -> Exists:
    """The case (outer query) has ``match``."""
    from vigie.cases.models import CaseTerm

    return Exists(CaseTerm.objects.filter(match.q(), case_id=OuterRef("pk")))


def restrict(qs: QuerySet[Any], matches: list[Match]) -> QuerySet[Any]:
    """``qs`` (cases) with only those that have every one of ``matches``.

    The rarest match (capped counts over the term index, one query) is the driver when it
    matches at most :data:`DRIVE_CAP` rows: the cases are taken from its index range, the
    others checked in the term index (``id IN (SELECT case_id ... WHERE term = driver AND
    EXISTS (...))``), then sorted. Otherwise every match is an ``EXISTS`` checked on each
    case while the list order is walked. A match with no row at all empties the list
    without another query.
    """
    from vigie.cases.models import CaseTerm

    if not matches:
        return qs
    counts = capped_counts(matches, DRIVE_CAP)
    if min(counts) == 0:
        return qs.none()
    driver = matches[counts.index(min(counts))]
    if min(counts) > DRIVE_CAP:
        for m in matches:
            qs = qs.filter(has(m))
        return qs
    ids = CaseTerm.objects.filter(driver.q())
    for m in matches:
        if m != driver:
            ids = ids.filter(Exists(CaseTerm.objects.filter(m.q(), case_id=OuterRef("case_id"))))
    return qs.filter(pk__in=ids.values("case_id"))
