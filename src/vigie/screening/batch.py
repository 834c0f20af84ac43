"""Batch screening: read a CSV or XLSX of names (with a column mapping), screen every row,
write the results. Rows stream in and out; memory holds one chunk of results at a time."""

from __future__ import annotations

import csv
import gc
import json
import logging
import os
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from rigour.names import NameTypeTag, analyze_names

from vigie.core import cells, files
from vigie.core.errors import Invalid, VigieError
from vigie.screening import engine, names
from vigie.screening.services import make_query

log = logging.getLogger(__name__)

COLUMNS = ("id", "name", "schema", "birth_date", "country", "document")
LIMIT = 10  # results per row: as many as a search shows
MAX_ROWS = 1_000_000


class BatchFileError(Invalid):
    """A batch file that cannot be read: the message says file, row, column and why, and
    ``detail`` holds them (file, row, column, value, why) for the API and job results. The
    value is a column heading or a setting, never a cell of a row (a name)."""

    default_code = "batch_file_invalid"

    def __init__(
        self,
        file: str,
        why: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        where = f", row {row}" if row is not None else ""
        where += f", column {column!r}" if column else ""
        found = {"file": file, "row": row, "column": column, "value": value, "why": why}
        super().__init__(
            f"{file}{where}: {why}",
            detail={**(detail or {}), **{k: v for k, v in found.items() if v is not None}},
        )


@dataclass
class Row:
    number: int  # line number in the file (header is 1)
    values: dict[str, str]


def _table(path: Path) -> Generator[list[str], None, None]:
    """The file's rows within the limits of vigie.core.files (cell length, row count, width,
    inflated size of a workbook), as text; their refusals become BatchFileError."""
    source = files.xlsx_rows(path) if path.suffix.lower() == ".xlsx" else files.csv_rows(path)
    try:
        yield from source
    except VigieError as exc:
        raise BatchFileError(
            path.name, str(exc), row=exc.detail.get("row"), detail=exc.detail
        ) from None


def headers(path: Path) -> list[str]:
    try:
        first = next(_table(path), [])
    except (OSError, ValueError, KeyError) as exc:
        raise BatchFileError(path.name, f"cannot read the header row: {exc}", row=1) from None
    return (
        [c.strip() for c in first if c.strip()]
        if path.suffix.lower() == ".xlsx"
        else [c.strip() for c in first]
    )


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Our column -> the file's header, for headers that already say what they are."""
    lower = {c.lower().replace(" ", "_"): c for c in columns}
    aliases = {
        "name": ("name", "full_name", "nom", "supplier", "vendor", "company"),
        "id": ("id", "identifier", "ref", "reference"),
        "schema": ("schema", "type", "kind"),
        "birth_date": ("birth_date", "dob", "date_of_birth", "birthdate"),
        "country": ("country", "nationality", "pays"),
        "document": ("document", "passport", "id_number"),
    }
    mapping = {}
    for ours, spellings in aliases.items():
        for n in spellings:
            if n in lower:
                mapping[ours] = lower[n]
                break
    return mapping


def rows(path: Path, mapping: dict[str, str] | None = None) -> Iterator[Row]:
    cols = headers(path)
    mapping = mapping or guess_mapping(cols)
    if not mapping.get("name") or mapping["name"] not in cols:
        wanted = mapping.get("name") or "name"
        raise BatchFileError(
            path.name,
            f"no name column ({wanted!r}); columns: {cols}",
            row=1,
            value=wanted,
        )
    for ours, theirs in mapping.items():
        if ours not in COLUMNS:
            raise BatchFileError(path.name, f"unknown field {ours!r} in the mapping", value=ours)
        if theirs and theirs not in cols:
            raise BatchFileError(
                path.name, f"no column {theirs!r}; columns: {cols}", row=1, column=theirs
            )
    source = _table(path)
    next(source, None)  # the header row
    positions = {ours: cols.index(theirs) for ours, theirs in mapping.items() if theirs}
    try:
        for number, cells in enumerate(source, 2):
            if number > MAX_ROWS + 1:
                raise BatchFileError(
                    path.name, f"more than {MAX_ROWS} rows", row=number, value=MAX_ROWS
                )
            if not any(c.strip() for c in cells):
                continue
            values = {k: (cells[i].strip() if i < len(cells) else "") for k, i in positions.items()}
            yield Row(number, values)
    finally:
        source.close()


Memo = dict[tuple[Any, ...], list[dict[str, Any]]]
MEMO_SIZE = 20_000  # distinct queries remembered per process (a register repeats owners)


def screen_row(
    index: engine.ScreeningIndex, row: Row, threshold: float, memo: Memo | None = None
) -> dict[str, Any]:
    """One row's result. ``memo``: matches of the queries already screened in this batch,
    by query: a name repeated in the file (an owner of several suppliers) is screened once
    and gets the same matches, as it would screened again."""
    v = row.values
    out: dict[str, Any] = {
        "row": row.number,
        "id": v.get("id") or str(row.number - 1),
        "name": v.get("name", ""),
    }
    try:
        query = make_query(
            v.get("name", ""),
            v.get("schema"),
            v.get("birth_date", ""),
            v.get("country", ""),
            v.get("document", ""),
        )
    except ValidationError as exc:
        out["error"] = f"row {row.number}: " + "; ".join(exc.messages)
        out["matches"] = []
        return out
    key = (query.name, query.schema, query.birth_date, query.country, query.document)
    found = memo.get(key) if memo is not None else None
    if found is None:
        found = [
            {
                "reference": r.entry.reference,
                "watchlist": r.entry.watchlist,
                "caption": r.entry.caption,
                "score": round(r.score, 4),
                "explanation": r.explanation,
            }
            for r in index.screen(query, threshold=threshold, limit=LIMIT)
        ]
        if memo is not None:
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[key] = found
    out["matches"] = found
    return out


_WORKER_INDEX: engine.ScreeningIndex | None = None
_WORKER_MEMO: Memo = {}
CHUNK = 1_000  # rows per task sent to a worker process (the last one finishes alone)
WINDOW = 2  # chunks in flight per worker: memory holds at most workers * WINDOW chunks
# rows offered to the process that screens while this one starts rigour's tagger (``_early``):
# more than it screens in that time on a quiet machine (about 10 s)
EARLY = 20_000


def default_workers() -> int:
    """Both cores of a two-core machine (all cores, at most 8)."""
    return max(1, min(8, os.cpu_count() or 1))


def _screen_chunk(args: tuple[list[Row], float]) -> list[dict[str, Any]]:
    rows_, threshold = args
    assert _WORKER_INDEX is not None
    return [screen_row(_WORKER_INDEX, r, threshold, _WORKER_MEMO) for r in rows_]


def prepare(index: engine.ScreeningIndex) -> None:
    """Before forking: start rigour's tagger (about 8 s of CPU, needed by any name with a
    word no list uses) and rebuild every listed name from the cache's plain data, once here
    instead of once in each worker (they share this process's memory copy-on-write)."""
    names.analyse("Vigie", names.PERSON)
    for listed in index.names:
        _ = listed.name, listed.probe, listed.analysis
    index._entry_of(), index._plains()


def _needs_tagger(index: engine.ScreeningIndex, row: Row) -> bool:
    """Whether screening ``row`` may start rigour's tagger: its name has a word no list uses
    (``names.analyse`` then tags it with rigour's tagger instead of the lists' lexicon).
    Only decides which process screens the row (``_screen_early``), never its result: a
    wrong guess costs the early process the tagger's start, nothing else."""
    v = row.values
    try:
        query = make_query(v.get("name", ""), v.get("schema"))
    except ValidationError:
        return False  # screen_row reports the error without analysing the name
    tag = names.type_tag(query.schema)
    text = query.name
    person = tag != NameTypeTag.ORG
    clean = names.normalise(text, person) or text
    forms = [clean]
    if not clean.isascii():
        forms.append(names.normalise(names.romanised(clean), person))
    found = analyze_names(tag, [f for f in forms if f], consolidate=False, symbols=False)
    return not all(index.lexicon.knows(name) for name in found)


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Fork with this process's objects (the index above all) out of the cyclic garbage
    collector's reach in the child: its full collections no longer walk the whole index
    (several hundred milliseconds each, and every page they touch is copied from the parent),
    only the objects the child makes. Objects are only moved between the collector's
    generations; nothing is freed or kept otherwise in this process, which unfreezes them
    once the fork is done (Python's documentation of ``gc.freeze`` recommends it before a
    fork). The screening itself is unchanged."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _screen_early(rows_: list[Row], threshold: float, stop: Any, results: Any) -> None:
    """In a process forked before rigour's tagger is started: screen ``rows_`` in order
    until ``stop`` is set, leaving out (None) the rows that would start the tagger, and send
    what it screened through ``results``."""
    assert _WORKER_INDEX is not None
    memo: Memo = {}
    out: list[dict[str, Any] | None] = []
    for row in rows_:
        if stop.is_set():
            break
        skip = _needs_tagger(_WORKER_INDEX, row)
        out.append(None if skip else screen_row(_WORKER_INDEX, row, threshold, memo))
    results.send(out)
    results.close()


def _early(
    index: engine.ScreeningIndex, head: list[Row], threshold: float
) -> list[dict[str, Any] | None]:
    """``prepare`` here while a forked process screens the rows of ``head`` that do not need
    rigour's tagger (ADR 0533): the tagger's start (about 9 s of CPU, which holds the GIL)
    no longer leaves the second core idle. The result of each row of ``head``, or None for
    the rows still to screen (needing the tagger, not reached, or the process died)."""
    import multiprocessing

    global _WORKER_INDEX
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    receive, send = context.Pipe(duplex=False)
    _WORKER_INDEX = index
    process = context.Process(target=_screen_early, args=(head, threshold, stop, send))
    with _frozen_heap():
        process.start()
    send.close()
    try:
        prepare(index)
    finally:
        stop.set()
        try:
            done: list[dict[str, Any] | None] = receive.recv()
        except EOFError:
            log.warning("the early screening process died; its rows are screened again")
            done = []
        receive.close()
        process.join()
        _WORKER_INDEX = None
    early = sum(found is not None for found in done)
    log.debug("%d of the first %d rows screened while the tagger started", early, len(head))
    return done + [None] * (len(head) - len(done))


def _results(
    index: engine.ScreeningIndex, source: Iterator[Row], threshold: float, workers: int
) -> Iterator[dict[str, Any]]:
    """Rows screened in input order. With ``workers`` > 1, forked processes share the index
    copy-on-write (it is read-only) and screen ``CHUNK`` rows at a time; at most
    ``workers * WINDOW`` chunks (and the first ``EARLY`` rows) are read ahead, so memory
    stays bounded whatever the file's size. Without ``fork`` (not on Linux) or with one
    worker, rows are screened here. If a worker process dies (killed, or crashed in native
    code), the chunks it left and the rest of the file are screened here: the results are
    the same, only slower. Every row goes through ``screen_row``, whichever process runs it:
    the results are a search's (ADR 0511)."""
    import multiprocessing
    from itertools import chain, islice

    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        memo: Memo = {}
        for row in source:
            yield screen_row(index, row, threshold, memo)
        return
    head = list(islice(source, CHUNK + 1))
    if len(head) <= CHUNK:
        yield from _pooled(index, iter(head), threshold, workers)
        return
    head += islice(source, EARLY - len(head))
    done = _early(index, head, threshold)
    rest = _pooled(
        index,
        chain((row for row, found in zip(head, done, strict=True) if found is None), source),
        threshold,
        workers,
    )
    for found in done:
        yield found if found is not None else next(rest)
    yield from rest


def _pooled(
    index: engine.ScreeningIndex, source: Iterator[Row], threshold: float, workers: int
) -> Iterator[dict[str, Any]]:
    """``source`` screened in order by ``workers`` forked processes (see ``_results``)."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from itertools import chain, islice

    memo: Memo = {}
    _WORKER_MEMO.clear()
    global _WORKER_INDEX
    _WORKER_INDEX = index
    pending: deque[tuple[list[Row], Future[list[dict[str, Any]]]]] = deque()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    forked = False
    try:
        while True:
            while len(pending) < workers * WINDOW:
                chunk = list(islice(source, CHUNK))
                if not chunk:
                    break
                if forked:
                    task = pool.submit(_screen_chunk, (chunk, threshold))
                else:  # a "fork" pool forks every worker at its first submit
                    with _frozen_heap():
                        task = pool.submit(_screen_chunk, (chunk, threshold))
                    forked = True
                pending.append((chunk, task))
            if not pending:
                return
            try:
                done = pending[0][1].result()
            except BrokenProcessPool:
                log.warning("a screening worker process died; the rest is screened in-process")
                break
            pending.popleft()
            yield from done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _WORKER_INDEX = None
    for row in chain.from_iterable(chunk for chunk, _ in pending):
        yield screen_row(index, row, threshold, memo)
    for row in source:
        yield screen_row(index, row, threshold, memo)


def run(
    index: engine.ScreeningIndex,
    path: Path,
    out: IO[str],
    *,
    mapping: dict[str, str] | None = None,
    fmt: str = "csv",
    threshold: float = engine.THRESHOLD,
    progress: Callable[[int, str], None] | None = None,
    workers: int = 1,
) -> dict[str, int]:
    """Screen every row of ``path`` and write results to ``out`` (CSV, or a JSON array)."""
    counts = {"rows": 0, "with_matches": 0, "errors": 0}
    writer = None
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(
            [
                "row",
                "id",
                "name",
                "status",
                "reference",
                "watchlist",
                "listed_name",
                "score",
                "matched_name",
                "reasons",
            ]
        )
    else:
        out.write("[")
    for result in _results(index, rows(path, mapping), threshold, workers):
        row = Row(result["row"], {})
        counts["rows"] += 1
        counts["with_matches"] += bool(result["matches"])
        counts["errors"] += "error" in result
        if writer is not None:
            if not result["matches"]:
                writer.writerow(
                    cells.csv_row(
                        [
                            row.number,
                            result["id"],
                            result["name"],
                            result.get("error", "no match"),
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                        ]
                    )
                )
            for m in result["matches"]:
                writer.writerow(
                    cells.csv_row(
                        [
                            row.number,
                            result["id"],
                            result["name"],
                            "potential match",
                            m["reference"],
                            m["watchlist"],
                            m["caption"],
                            m["score"],
                            m["explanation"]["matched_name"],
                            "; ".join(m["explanation"]["reasons"]),
                        ]
                    )
                )
        else:
            out.write(
                ("," if counts["rows"] > 1 else "") + "\n" + json.dumps(result, ensure_ascii=False)
            )
        if progress and counts["rows"] % 200 == 0:
            progress(counts["rows"], f"{counts['rows']} rows screened")
    if writer is None:
        out.write("\n]\n")
    return counts


def count_rows(path: Path) -> int:
    if path.suffix.lower() == ".xlsx":
        return sum(1 for _ in rows(path))
    with path.open("rb") as fh:
        return max(0, sum(1 for _ in fh) - 1)
