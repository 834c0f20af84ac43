"""One import row at a time: read (vigie.cases.interchange.readers), mapped to a case record
(CTDC, HTCDS sheet or JSON, Vigie columns, or a mapping file) and checked (record validation,
ids and references repeated in the file), with every problem as ``file, row, column, value:
why``; and the import's report."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vigie.cases import records
from vigie.cases.interchange import htcds, htcds_sheet, layouts
from vigie.cases.interchange import mapping as mapping_module
from vigie.cases.interchange.mapping import Mapping
from vigie.cases.interchange.readers import MAX_BYTES, ImportFailed, json_items, table_rows

MAX_REPORTED = 200  # problems listed in the report (all are counted)
JSON_KINDS = {str: "string", list: "array", int: "number", float: "number", bool: "boolean"}


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
    # of the updated rows, those identical to their case: not rewritten (ADR 0047, amended)
    unchanged: int = 0
    rejected: int = 0
    written: bool = False
    next_row: int = 1
    problems: list[dict[str, Any]] = field(default_factory=list)
    rejects_file: str = ""
    # seconds the publishing transaction of an atomic import took (on SQLite, its hold of the
    # write lock: ADR 0047)
    publish_s: float = 0.0

    def add(self, problem: RowProblem) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(asdict(problem))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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
        for i, item in enumerate(json_items(path), 1):
            if not isinstance(item, dict):
                # the item itself may be a name: its kind is said, never its text
                what = "a JSON " + JSON_KINDS.get(type(item), "value")
                yield Prepared(i, None, None, [RowProblem(name, i, "", what, "not an object")])
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
            if any(v.strip() for v in values):  # a blank row of another width is skipped
                yield _wrong_width(name, i, values, header)
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


def _wrong_width(name: str, i: int, values: list[str], header: list[str]) -> Prepared:
    why = f"the header has {len(header)} columns"
    problem = RowProblem(name, i, "", f"{len(values)} cells", why)
    return Prepared(i, None, None, [problem])


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
        record = htcds.htcds_to_record(item)
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
            if any(v.strip() for v in values):  # a blank row of another width is skipped
                yield _wrong_width(name, i, values, header)
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
