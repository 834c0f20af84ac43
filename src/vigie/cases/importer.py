"""Bulk import of case records from files: CTDC (CSV or XLSX), the HTCDS v2.0 spreadsheet
(XLSX or CSV, vigie.cases.htcds_sheet; recognised by its header) and HTCDS JSON.

Rows are streamed (never the whole file in memory). Every problem is reported as
``file, row, column, value: why``. Two modes:

- atomic (default): if any row is invalid nothing is written and the job fails with the
  report. New cases are staged in batches of ``BATCH`` rows, each committed on its own but
  invisible, then published together in one short transaction (vigie.cases.staging, ADR
  0043), so the import never holds the write lock for long; an interrupted import resumes
  from its last staged batch;
- partial: rows are written in batches of ``BATCH`` rows, each batch in its own transaction;
  invalid rows are skipped and written to a rejects CSV; after each batch a checkpoint
  (``next_row``) is saved, so a retried job resumes after the last written batch.

Re-importing a file is idempotent: a row whose source record id (the file's id column, or a
hash of the row's content for CTDC files, which have none) already exists in the
organisation is updated, not duplicated.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction

from vigie.cases import bulk, htcds_sheet, layouts, pipeline, records, services, staging
from vigie.cases import mapping as mapping_module
from vigie.cases.mapping import Mapping
from vigie.cases.models import Case, ImportStage
from vigie.core import events, files
from vigie.core.actor import Actor
from vigie.core.errors import Invalid, VigieError
from vigie.core.models import Organisation

BATCH = 2000  # rows per insert batch (and per transaction and checkpoint in partial mode)
WRITE_ATTEMPTS = 3  # a batch refused by a unique constraint is written again with look-ups
WORKER_MIN_BYTES = 1024**2  # smaller files are read in this process (a worker costs ~10 ms)
MAX_REPORTED = 200  # problems listed in the report (all are counted)
MAX_BYTES = int(getattr(settings, "VIGIE_IMPORT_MAX_BYTES", 2 * 1024**3))


class ImportFailed(Invalid):
    """The file cannot be imported at all (unreadable, wrong layout): a message for people."""

    default_code = "import_failed"


@dataclass
class RowProblem:
    file: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return (
            f"file {self.file}, row {self.row}, column {self.column}: "
            f"value {self.value!r}: {self.reason}"
        )


@dataclass
class Report:
    file: str
    layout: str = ""
    mode: str = "atomic"
    rows: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    written: bool = False
    next_row: int = 1
    problems: list[dict[str, Any]] = field(default_factory=list)
    rejects_file: str = ""

    def add(self, problem: RowProblem) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(asdict(problem))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- reading files ---------------------------------------------------------------------------


def _csv_rows(path: Path) -> Iterator[list[str]]:
    return files.csv_rows(path)  # limits: vigie.core.files (TooLarge / Invalid)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    for row in files.xlsx_rows(path):
        if row:  # blank rows (the template's numbered empty rows) are skipped
            yield row


def table_rows(path: Path) -> Iterator[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    return _csv_rows(path)


def _json_items(path: Path) -> Iterator[dict[str, Any]]:
    files.check_json(path)  # parsed whole: refused over VIGIE_FILE_LIMITS["max_json_bytes"]
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFailed(f"file {path.name}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            f"file {path.name}, line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
        ) from None
    if isinstance(data, dict):
        data = data.get("records") or data.get("cases") or [data]
    if not isinstance(data, list):
        raise ImportFailed(f"file {path.name}: a JSON list of HTCDS records is expected")
    yield from data


def guess_format(path: Path) -> str:
    """The layout of a file given without one: HTCDS for JSON; for a table, from its header
    row: HTCDS columns, Vigie field names (``case.FIELD`` ...), else CTDC (whose refusal of a
    header then names the missing columns and points to --layout and --mapping)."""
    if path.suffix.lower() == ".json":
        return "htcds"
    try:
        rows = table_rows(path)
        header = [h.strip() for h in next(rows, None) or []]
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    except (OSError, ValueError, ImportFailed, VigieError, zipfile.BadZipFile):
        return "ctdc"  # the import itself reports what is wrong with the file
    if htcds_sheet.looks_like(header):
        return "htcds"
    fields = set(mapping_module.vigie_fields())
    as_vigie = sum(1 for h in header if h in fields)
    as_ctdc = max(len(set(header) & set(lay.columns)) for lay in layouts.LAYOUTS.values())
    return "vigie" if as_vigie > as_ctdc else "ctdc"


# --- one row ---------------------------------------------------------------------------------


def _column_for(path: str, spec: list[layouts.Col]) -> str:
    """The source column behind a record path such as ``victims[0].sex``."""
    targets: dict[str, str] = {}
    for col in spec:
        where, name = col.target.split(".")
        key = {"case": name, "victim": f"victims[0].{name}"}.get(where, f"{where}s[0].{name}")
        targets.setdefault(key, col.name)
    return targets.get(path, path)


@dataclass
class Prepared:
    row: int
    record: dict[str, Any] | None
    parsed: records.Parsed | None
    problems: list[RowProblem]


@dataclass
class Seen:
    """What earlier rows of the file used, to report a row that uses it again: source type
    and record id, and case reference (each with the first row that used it)."""

    ids: dict[str, int] = field(default_factory=dict)
    references: dict[str, int] = field(default_factory=dict)


def prepare_records(
    path: Path,
    fmt: str,
    *,
    allow_identity: bool,
    report: Report,
    mapping: Mapping | None = None,
) -> Iterator[Prepared]:
    """Read, map and validate each row; yields records or problems, row by row."""
    name = path.name
    if not path.exists():
        raise ImportFailed(f"file {name}: not found")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportFailed(
            f"file {name}: {size / 1024**2:.0f} MB is more than the limit of "
            f"{MAX_BYTES / 1024**2:.0f} MB (VIGIE_IMPORT_MAX_BYTES); split the file"
        )
    if size == 0:
        raise ImportFailed(f"file {name}: empty")
    seen = Seen()
    is_json = path.suffix.lower() == ".json"
    if fmt == "htcds" and mapping is not None:
        raise ImportFailed(
            f"file {name}: mapping files apply to Vigie or CTDC tables, not to HTCDS files"
        )
    if fmt == "vigie" or (mapping is not None and mapping.layout == "vigie"):
        yield from _vigie_rows(path, mapping, allow_identity, report, seen)
        return
    if fmt == "htcds" and is_json:
        report.layout = "htcds"
        spec: list[layouts.Col] = []
        for i, item in enumerate(_json_items(path), 1):
            if not isinstance(item, dict):
                yield Prepared(
                    i, None, None, [RowProblem(name, i, "", str(item)[:80], "not an object")]
                )
                continue
            yield _htcds_item(name, i, item, spec, allow_identity, seen, {})
        return
    rows = table_rows(path)
    header = next(rows, None)
    if header is None:
        raise ImportFailed(f"file {name}: no header row")
    header = [h.strip() for h in header]
    if mapping is None and (fmt == "htcds" or htcds_sheet.looks_like(header)):
        yield from _htcds_sheet_rows(name, header, rows, allow_identity, report, seen)
        return
    try:
        if mapping is not None:
            layout = layouts.LAYOUTS[mapping.layout]
            header = [mapping.columns.get(h, "") for h in header]
        else:
            layout = layouts.detect_ctdc(header)
    except layouts.RowError as exc:
        hint = (
            ""
            if mapping is not None
            else "; if the file is in another layout, name it with --layout (vigie, htcds, "
            "ctdc) or map its columns with a mapping file (--mapping FILE, docs/cases.md)"
        )
        raise ImportFailed(f"file {name}, row 1, column {exc.column}: {exc.reason}{hint}") from None
    report.layout = layout.name
    spec = layout.spec()
    dup_counter: dict[str, int] = {}
    for i, values in enumerate(rows, 2):
        if len(values) != len(header):
            if not any(v.strip() for v in values):
                continue
            yield Prepared(
                i,
                None,
                None,
                [
                    RowProblem(
                        name, i, "", f"{len(values)} cells", f"the header has {len(header)} columns"
                    )
                ],
            )
            continue
        if mapping is not None:
            row = {c: layouts.UNKNOWN for c in layout.columns}
            row.update(mapping_module.apply(mapping, header, values))
            values = [row[c] for c in layout.columns]
        else:
            row = dict(zip(header, values, strict=True))
        try:
            record = layouts.ctdc_row_to_record(layout, row, spec)
        except layouts.RowError as exc:
            column = mapping.source_of(exc.column) if mapping else exc.column
            yield Prepared(i, None, None, [RowProblem(name, i, column, str(exc.value), exc.reason)])
            continue
        if mapping is not None:
            id_values = values
        else:
            id_values = [values[header.index(c)] for c in layout.columns]
        record["source_record_id"] = layouts.row_id(id_values, dup_counter)
        prepared = _check(name, i, record, spec, allow_identity, seen)
        if mapping is not None:
            for p in prepared.problems:
                p.column = mapping.source_of(p.column)
        yield prepared


def _htcds_sheet_rows(
    name: str,
    header: list[str],
    rows: Iterator[list[str]],
    allow_identity: bool,
    report: Report,
    seen: Seen,
) -> Iterator[Prepared]:
    """The HTCDS v2.0 spreadsheet (XLSX or CSV): each filled row through the HTCDS mapping."""
    report.layout = "htcds-sheet"
    try:
        htcds_sheet.check_header(header)
    except layouts.RowError as exc:
        raise ImportFailed(f"file {name}, row 1, column {exc.column}: {exc.reason}") from None
    dup_counter: dict[str, int] = {}
    spec = htcds_sheet.problem_columns()
    for i, item in htcds_sheet.items(header, rows):
        yield _htcds_item(name, i, item, spec, allow_identity, seen, dup_counter)


def _htcds_item(
    name: str,
    i: int,
    item: dict[str, Any],
    spec: list[layouts.Col],
    allow_identity: bool,
    seen: Seen,
    dup_counter: dict[str, int],
) -> Prepared:
    """One HTCDS record (a JSON object or a spreadsheet row) through the HTCDS mapping; a
    record without its own id gets one from its values."""
    try:
        record = layouts.htcds_to_record(item)
    except layouts.RowError as exc:
        return Prepared(
            i, None, None, [RowProblem(name, i, exc.column, str(exc.value), exc.reason)]
        )
    if not record.get("source_record_id"):
        values = [f"{k}={item[k]}" for k in sorted(item)]
        record["source_record_id"] = layouts.row_id(values, dup_counter)
    return _check(name, i, record, spec, allow_identity, seen)


def _vigie_rows(
    path: Path,
    mapping: Mapping | None,
    allow_identity: bool,
    report: Report,
    seen: Seen,
) -> Iterator[Prepared]:
    """A table whose columns are Vigie fields (directly, or through a mapping file)."""
    name = path.name
    report.layout = "vigie"
    rows = table_rows(path)
    header = next(rows, None)
    if header is None:
        raise ImportFailed(f"file {name}: no header row")
    header = [h.strip() for h in header]
    try:
        targets = mapping_module.header_targets(mapping, header)
    except layouts.RowError as exc:
        raise ImportFailed(f"file {name}, row 1, column {exc.column}: {exc.reason}") from None
    if not any(targets):
        raise ImportFailed(f"file {name}, row 1: the mapping names none of the file's columns")
    spec = [layouts.Col(source, target) for source, target in zip(header, targets, strict=True)]
    spec = [c for c in spec if c.target]
    dup_counter: dict[str, int] = {}
    to_record = mapping_module.vigie_reader(mapping, targets)
    for i, values in enumerate(rows, 2):
        if len(values) != len(header):
            if not any(v.strip() for v in values):
                continue
            yield Prepared(
                i,
                None,
                None,
                [
                    RowProblem(
                        name, i, "", f"{len(values)} cells", f"the header has {len(header)} columns"
                    )
                ],
            )
            continue
        record = to_record(values)
        if not record.get("source_record_id"):
            record["source_record_id"] = layouts.row_id(values, dup_counter)
        yield _check(name, i, record, spec, allow_identity, seen)


def _check(
    name: str,
    row: int,
    record: dict[str, Any],
    spec: list[layouts.Col],
    allow_identity: bool,
    seen: Seen,
) -> Prepared:
    parsed = records.validate(record, allow_identity=allow_identity)
    problems = [
        RowProblem(name, row, _column_for(p.path, spec), str(p.value), p.message)
        for p in parsed.problems
    ]
    source_id = record.get("source_record_id")
    key = f"{record.get('source_type')}|{source_id}"
    if why := _repeated(seen.ids, key, row):
        problems.append(RowProblem(name, row, "source record id", str(source_id), why))
    reference = parsed.case.get("reference")
    if reference and (why := _repeated(seen.references, reference, row)):
        problems.append(RowProblem(name, row, "reference", reference, why))
    return Prepared(row, record, parsed, problems)


def _repeated(used: dict[str, int], key: str, row: int) -> str:
    """Why ``row`` may not use ``key`` again ("" on first use, which is then remembered)."""
    first = used.setdefault(key, row)
    return "" if first == row else f"duplicated in the file (first on row {first})"


class _Rollback(Exception):
    pass


# --- writing ---------------------------------------------------------------------------------


@dataclass
class Valid:
    """A valid row of a batch: what writing it needs besides its built rows."""

    row: int
    packed: bytes  # the record, pickled: read back only to update a case already imported
    reference: str
    source_type: str
    source_record_id: str
    fields: frozenset[str]  # the case fields the record gives
    sections: frozenset[str]  # the lists of rows it gives (victims, incidents...)

    @property
    def record(self) -> dict[str, Any]:
        return cast(dict[str, Any], pickle.loads(self.packed))  # noqa: S301 (our own bytes)


@dataclass
class Chunk:
    """``BATCH`` rows as read: the problems of the invalid ones, the valid ones and their
    rows ready to insert (``built``: the case of ``valid[i]`` has relative id ``i``)."""

    layout: str = ""
    rows: int = 0
    last_row: int = 0
    invalid: list[list[RowProblem]] = field(default_factory=list)
    valid: list[Valid] = field(default_factory=list)
    built: bulk.Built = field(default_factory=bulk.Built)


def _chunks(
    items: Iterator[Prepared],
    report: Report,
    *,
    organisation_id: int,
    user_id: int | None,
    atomic: bool,
    resume_from: int,
) -> Iterator[Chunk]:
    """Group the rows in batches and build the new rows of each (no database access: this
    runs in the worker process when there is one)."""
    failed = False
    while True:
        chunk = Chunk()
        parsed: list[records.Parsed] = []
        for item in items:
            if item.row < resume_from:
                continue
            chunk.rows += 1
            chunk.last_row = item.row
            if item.problems:
                chunk.invalid.append(item.problems)
                failed = True
            elif not (atomic and failed):  # atomic: after a problem nothing will be written
                assert item.record is not None and item.parsed is not None
                case = item.parsed.case
                chunk.valid.append(
                    Valid(
                        item.row,
                        pickle.dumps(item.record, pickle.HIGHEST_PROTOCOL),
                        case.get("reference") or "",
                        case.get("source_type") or "",
                        str(item.record.get("source_record_id") or ""),
                        frozenset(case),
                        frozenset(s for s in services.ORDER if s in item.record),
                    )
                )
                parsed.append(item.parsed)
            if chunk.rows >= BATCH:
                break
        if not chunk.rows:
            return
        if parsed:
            chunk.built = bulk.build(organisation_id, user_id, parsed)
        chunk.layout = report.layout
        yield chunk


def _read(
    path: Path,
    fmt: str,
    *,
    organisation: Organisation,
    actor: Actor,
    allow_identity: bool,
    report: Report,
    mapping: Mapping | None,
    partial: bool,
    resume_from: int,
) -> Iterator[Chunk]:
    """The file's batches, produced by a worker process if one is available and the file is
    large enough to be worth it (``WORKER_MIN_BYTES``)."""

    def produce() -> Iterator[Chunk]:
        items = prepare_records(
            path, fmt, allow_identity=allow_identity, report=report, mapping=mapping
        )
        yield from _chunks(
            items,
            report,
            organisation_id=organisation.pk,
            user_id=actor.user.pk if actor.user is not None else None,
            atomic=not partial,
            resume_from=resume_from,
        )

    try:
        big = path.stat().st_size >= WORKER_MIN_BYTES
    except OSError:
        big = False  # prepare_records says what is wrong with the file
    if big and pipeline.available():
        return pipeline.in_worker(produce)
    return produce()


def _take(report: Report, chunk: Chunk, reject_writer: Any = None) -> None:
    """Count a batch's rows and report its invalid ones."""
    report.layout = chunk.layout or report.layout
    report.rows += chunk.rows
    for problems in chunk.invalid:
        report.rejected += 1
        for p in problems:
            report.add(p)
            if reject_writer is not None:
                reject_writer.writerow([p.file, p.row, p.column, p.value, p.reason])


@dataclass
class _Written:
    """What one batch wrote: applied to the report once the batch's savepoint holds."""

    refused: list[RowProblem] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    created: list[int] = field(default_factory=list)


def _write(
    actor: Actor,
    org: Organisation,
    chunk: Chunk,
    report: Report,
    look_up: bool,
    stage: ImportStage | None = None,
) -> tuple[list[RowProblem], bool]:
    """Write one batch in a savepoint; the problems of the rows it refused, and whether the
    next batches must look up.

    Without look-ups (the organisation was empty when the import began) a row may still name
    a case that another writer saved since: a partial import's earlier batches committed and
    a person saved a case between two of them, or two imports ran at once on PostgreSQL. The
    unique constraints refuse the batch; it is rolled back to its savepoint and written again
    with look-ups, which make such rows updates or row problems. A second refusal can only be
    a writer that committed between the look-up and the insert: the look-up after it sees it.
    """
    attempt = 1
    while True:
        try:
            with transaction.atomic():
                if stage is None:
                    batch = _write_batch(actor, org, chunk, report.file, look_up=look_up)
                else:
                    batch = _stage_batch(actor, org, chunk, report.file, look_up, stage)
        except IntegrityError as exc:
            if attempt == WRITE_ATTEMPTS:
                raise ImportFailed(
                    f"file {report.file}, rows {chunk.valid[0].row}-{chunk.last_row}: the "
                    f"database refused the batch {WRITE_ATTEMPTS} times ({exc}); "
                    "nothing of it was saved"
                ) from None
            attempt += 1
            look_up = True
            continue
        report.updated += len(batch.updated)
        report.created += len(batch.created)
        return batch.refused, look_up


def _write_batch(
    actor: Actor, org: Organisation, chunk: Chunk, name: str, *, look_up: bool
) -> _Written:
    """One batch: new rows inserted and rows already imported (same source type and source
    record id: looked up once per batch) replaced, both set-based from the same built rows
    (vigie.cases.bulk: one ``executemany`` per table). A stored case whose rows the file
    cannot replace whole (it has rows in a list the file leaves out, or evidence links to
    one of its perpetrators or incidents) is updated through the ORM instead.

    ``look_up``: the organisation had cases when the import began, so a row may name one of
    them. Otherwise nothing can (the file's own repeats are problems of their rows,
    ``_check``) and the batch is written without reading: those two queries were most of the
    importer's time in a large import (50-70% from 150,000 rows on, at 10^6 rows).
    """
    valid = chunk.valid
    out = _Written()
    if not valid:
        return out
    skip: set[int] = set()
    candidates: dict[int, bulk.Existing] = {}
    if look_up:
        out.refused, skip = _taken_references(org, valid, name)
        ids = {v.source_record_id for i, v in enumerate(valid) if i not in skip}
        ids.discard("")
        stored = {
            (source_type, source_id): (pk, created_at)
            for pk, source_type, source_id, created_at in Case.objects.filter(
                organisation=org, source_record_id__in=ids
            ).values_list("pk", "source_type", "source_record_id", "created_at")
        }
        for i, v in enumerate(valid):
            found = stored.get((v.source_type, v.source_record_id))
            if found is not None and i not in skip:
                candidates[i] = bulk.Existing(found[0], found[1], v.fields, v.sections)
        fast = bulk.replaceable(candidates)
        for i, target in candidates.items():
            if i in fast:
                continue
            case = Case.objects.get(pk=target.pk)
            services.save_record(actor, org, valid[i].record, instance=case, perm="case.import")
            out.updated.append(case.pk)
            skip.add(i)
        candidates = {i: c for i, c in candidates.items() if i in fast}
    if len(skip) < len(valid):
        keep = None if not skip else {i for i in range(len(valid)) if i not in skip}
        written = services.import_built(actor, org, chunk.built, keep, candidates)
        replaced = {c.pk for c in candidates.values()}
        out.updated += [pk for pk in written if pk in replaced]
        out.created = [pk for pk in written if pk not in replaced]
    return out


def _stage_batch(
    actor: Actor, org: Organisation, chunk: Chunk, name: str, look_up: bool, stage: ImportStage
) -> _Written:
    """One batch of a staged import: new cases written invisibly (``Case.stage``); rows that
    update published cases kept for publication (``staging.defer``: a published case cannot
    hide its new version). Counted as created here, as updated when published."""
    valid = chunk.valid
    out = _Written()
    if not valid:
        return out
    skip: set[int] = set()
    if look_up:
        out.refused, skip = _taken_references(org, valid, name)
        ids = {v.source_record_id for i, v in enumerate(valid) if i not in skip}
        ids.discard("")
        stored = set(
            Case.objects.filter(organisation=org, source_record_id__in=ids).values_list(
                "source_type", "source_record_id"
            )
        )
        updates = [
            i
            for i, v in enumerate(valid)
            if i not in skip and (v.source_type, v.source_record_id) in stored
        ]
        if updates:
            staging.defer(stage, valid[updates[0]].row, [valid[i] for i in updates])
            skip.update(updates)
    if len(skip) < len(valid):
        keep = None if not skip else {i for i in range(len(valid)) if i not in skip}
        out.created = services.import_built(actor, org, chunk.built, keep, None, stage=stage.pk)
    return out


def _taken_references(
    org: Organisation, valid: list[Valid], name: str
) -> tuple[list[RowProblem], set[int]]:
    """Rows naming a case reference that another case of the organisation already has:
    their problems and their positions in ``valid``; one query per batch. (A reference
    repeated within the file is a problem of its row, ``_check``.)"""
    refs = {v.reference: i for i, v in enumerate(valid) if v.reference}
    problems: list[RowProblem] = []
    refused: set[int] = set()
    if not refs:
        return problems, refused
    taken = Case.objects.filter(organisation=org, reference__in=list(refs))
    for ref, source_type, source_id in taken.values_list(
        "reference", "source_type", "source_record_id"
    ):
        i = refs[ref]
        v = valid[i]
        if source_id and (v.source_type, v.source_record_id) == (source_type, source_id):
            continue  # the same case, re-imported: updated, not a clash
        problems.append(
            RowProblem(name, v.row, "reference", ref, "is already used by another case")
        )
        refused.add(i)
    return problems, refused


def run_import(
    path: Path,
    *,
    organisation: Organisation,
    actor: Actor,
    fmt: str = "",
    partial: bool = False,
    rejects: Path | None = None,
    resume_from: int = 0,
    progress: Any = None,
    dry_run: bool = False,
    mapping: Mapping | None = None,
    finish: Any = None,
    job: str = "",
) -> Report:
    """Import ``path`` into ``organisation``; see the module docstring for the modes.

    ``progress(done_rows, message, report)`` is called every batch (it may raise to cancel).
    ``finish(report)``: called inside an atomic import's transaction once every row is
    written, to commit the job's state with the data (vigie.core.jobs, Progress.finish).
    ``dry_run``: read and validate every row, report every problem, write nothing.
    ``job``: the import's job id; an atomic import resumes the stage an earlier run of the
    same job left (vigie.cases.staging).
    """
    fmt = fmt or guess_format(path)
    mode = "dry-run" if dry_run else "partial" if partial else "atomic"
    report = Report(file=path.name, mode=mode)
    allow_identity = services.may_record_identity(actor, organisation)
    if dry_run:
        items = prepare_records(
            path, fmt, allow_identity=allow_identity, report=report, mapping=mapping
        )
        _dry_run(items, report, progress, organisation)
        return report
    reject_writer = None
    reject_fh = None
    if partial and rejects is not None:
        reject_fh = rejects.open("a" if resume_from else "w", encoding="utf-8", newline="")
        reject_writer = csv.writer(reject_fh)
        if not resume_from:
            reject_writer.writerow(["file", "row", "column", "value", "reason"])
        report.rejects_file = str(rejects)
    stage = None
    if not partial:
        stage = staging.open_stage(organisation, actor, job=job, file=path.name)
        if stage.next_row:  # an earlier run staged rows up to there: resume
            resume_from = stage.next_row
            report = Report(**stage.report)
    look_up = Case.objects.filter(organisation=organisation).exists()
    chunks = _read(
        path,
        fmt,
        organisation=organisation,
        actor=actor,
        allow_identity=allow_identity,
        report=report,
        mapping=mapping,
        partial=partial,
        resume_from=resume_from,
    )
    kept = False
    try:
        with bulk.tuned_for_bulk():
            if stage is None:
                _partial(chunks, actor, organisation, report, reject_writer, progress, look_up)
            else:
                state = _Staged(stage, allow_identity, finish)
                _atomic(chunks, actor, organisation, report, progress, look_up, state)
        kept = True
    except BaseException as exc:
        # kept for a job run again to resume: a stopping server (JobInterrupted), a crash;
        # discarded: a cancellation, a file that cannot be imported
        from vigie.core.jobs import JobCancelled, JobInterrupted

        cancelled = isinstance(exc, JobCancelled) and not isinstance(exc, JobInterrupted)
        kept = bool(job) and not cancelled and not isinstance(exc, VigieError)
        raise
    finally:
        if stage is not None and not kept:
            staging.discard(stage.pk)
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # stops the worker process if the import ended early
        if reject_fh is not None:
            reject_fh.close()
    return report


def _dry_run(
    items: Iterator[Prepared], report: Report, progress: Any, organisation: Organisation
) -> None:
    """Validate every row and count what the import would do: a valid row whose source id
    names a case of the organisation would update it, any other valid row would create one
    (``created``/``updated`` of a dry run are "would"; nothing is written)."""
    pending: list[tuple[str, str]] = []
    look_up = Case.objects.filter(organisation=organisation).exists()

    def settle() -> None:
        ids = {source_id for _type, source_id in pending if source_id}
        existing = (
            set(
                Case.objects.filter(
                    organisation=organisation, source_record_id__in=ids
                ).values_list("source_type", "source_record_id")
            )
            if look_up and ids
            else set()
        )
        updated = sum(1 for key in pending if key in existing)
        report.updated += updated
        report.created += len(pending) - updated
        pending.clear()

    for item in items:
        report.rows += 1
        if item.problems:
            report.rejected += 1
            for p in item.problems:
                report.add(p)
        elif item.record is not None and item.parsed is not None:
            source_type = item.parsed.case.get("source_type") or ""
            pending.append((source_type, str(item.record.get("source_record_id") or "")))
        if len(pending) >= BATCH:
            settle()
        if progress and report.rows % BATCH == 0:
            progress(report.rows, f"row {item.row}", report)
    settle()


@dataclass
class _Staged:
    """What an atomic import's staging needs besides the batches."""

    stage: ImportStage
    allow_identity: bool
    finish: Any = None  # called inside the publishing transaction


def _atomic(
    chunks: Iterator[Chunk],
    actor: Actor,
    org: Organisation,
    report: Report,
    progress: Any,
    look_up: bool,
    staged: _Staged,
) -> None:
    """Stage every batch (committed, invisible), then publish them in one short transaction,
    or discard them if any row is invalid (all or nothing, as one transaction would)."""
    stage = staged.stage
    for chunk in chunks:
        _take(report, chunk)
        if not report.rejected:
            refused, look_up = _write(actor, org, chunk, report, look_up, stage)
            _refuse(report, refused)
            if not report.rejected:
                with transaction.atomic():
                    report.next_row = chunk.last_row + 1
                    staging.checkpoint(stage, report.next_row, report.as_dict())
        if progress:
            progress(report.rows, f"row {chunk.last_row}", report)
    if not report.rejected:
        try:
            with transaction.atomic():
                _publish(actor, org, report, staged)
                if report.rejected:
                    raise _Rollback
                report.written = True
                if staged.finish:
                    staged.finish(report)
        except _Rollback:
            pass
    if report.rejected:
        report.written = False
        staging.discard(stage.pk)
        report.created = report.updated = 0


def _publish(actor: Actor, org: Organisation, report: Report, staged: _Staged) -> None:
    """Inside the publishing transaction: apply the rows that update published cases (set-
    based, as an unstaged import would), then make the staged cases visible and announce
    them (the event is sent after the commit)."""
    for rows in staging.deferred(staged.stage):
        chunk = Chunk(layout=report.layout, valid=rows, last_row=rows[-1].row)
        chunk.built = staging.rebuild(rows, org, actor, staged.allow_identity)
        refused, _look_up = _write(actor, org, chunk, report, look_up=True)
        _refuse(report, refused)
    ids = staging.publish(staged.stage)
    if ids:
        events.announce(services.KIND, ids, actor, action="created", organisation_id=org.pk)


def _refuse(report: Report, problems: list[RowProblem], reject_writer: Any = None) -> None:
    for p in problems:
        report.rejected += 1
        report.add(p)
        if reject_writer is not None:
            reject_writer.writerow([p.file, p.row, p.column, p.value, p.reason])


def _partial(
    chunks: Iterator[Chunk],
    actor: Actor,
    org: Organisation,
    report: Report,
    reject_writer: Any,
    progress: Any,
    look_up: bool,
) -> None:
    for chunk in chunks:
        _take(report, chunk, reject_writer)
        if chunk.valid:
            with transaction.atomic():
                refused, look_up = _write(actor, org, chunk, report, look_up)
            _refuse(report, refused, reject_writer)
        report.next_row = chunk.last_row + 1
        if progress:
            progress(report.rows, f"row {chunk.last_row}", report)
    report.written = True


def count_rows(path: Path, fmt: str) -> int | None:
    """Rows in the file (a fast pre-count for the progress bar), or None if unknown."""
    try:
        if fmt == "htcds" and path.suffix.lower() == ".json":
            return None
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return None
        with path.open("rb") as fh:
            return max(0, sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b"")) - 1)
    except OSError:
        return None


def report_text(report: Report) -> str:
    out = io.StringIO()
    verdict = "written" if report.written else "NOTHING written"
    if report.mode == "dry-run":
        # An atomic import writes nothing when a row is invalid; --partial writes the rest.
        verdict = "dry run, nothing written: " + (
            "INVALID (an import would write nothing; --partial would write the valid rows)"
            if report.rejected
            else "valid"
        )
        out.write(
            f"{report.file} ({report.layout}, dry run): {report.rows} rows; would create "
            f"{report.created} and update {report.updated} case(s), {report.rejected} rows "
            f"rejected; {verdict}\n"
        )
    else:
        out.write(
            f"{report.file} ({report.layout}, {report.mode}): {report.rows} rows, "
            f"{report.created} created, {report.updated} updated, {report.rejected} rejected; "
            f"{verdict}\n"
        )
    if report.rejects_file:
        out.write(f"Rejected rows: {report.rejects_file}\n")
    for p in report.problems:
        out.write(str(RowProblem(**p)) + "\n")
    if report.rejected > len(report.problems):
        out.write(f"... and more problems (only the first {MAX_REPORTED} are listed)\n")
    return out.getvalue()
