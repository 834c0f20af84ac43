"""Import transaction files (CSV, XLSX; camt.053 and goAML XML through ``bankfiles``, ADR
0803) through a mapping into encrypted Parquet (ADR 0800).

DuckDB reads, converts and checks the whole file in SQL — the same engine the rules use —
so a file of ten million rows is a few scans, not ten million Python objects. Atomic by
default: a file with any bad row writes nothing and every problem is reported (line,
column, value, why; the value is left out for identifying columns). ``partial=True`` writes
the good rows and returns the rejected ones. The Parquet file is written first under a
temporary name and renamed inside the database transaction that lists it, so a crash at any
point leaves either a committed import or a file no view reads (swept a day later). The
accounts a file names are written by vigie.finance.accounts.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.db import transaction
from django.utils import timezone

from vigie.core import filecrypt, files, quoting
from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Invalid
from vigie.core.events import announce
from vigie.finance import bankfiles, keys, store
from vigie.finance.accounts import _record_accounts
from vigie.finance.mapping import CHANNELS, FIELDS, IDENTIFYING, IDENTITY_MAPPING, Mapping
from vigie.finance.models import TransactionFile

MAX_PROBLEMS = 1000
MAX_CELL = 4096  # longest cell accepted by the CSV reader (bytes per line: 64 KiB)
Progress = Callable[[int, int, str], None]


@dataclass
class Problem:
    """A refused cell: the value is quoted only by the rule of vigie.core.quoting (ADR
    0054), otherwise ``shape`` describes it; the account and holder columns never quote."""

    line: int
    column: str
    value: str | None
    reason: str
    shape: str | None = None

    @classmethod
    def of(cls, line: int, column: str, raw: str | None, reason: str) -> Problem:
        value, shape = quoting.shown(raw, ordinary=column not in IDENTIFYING)
        return cls(line, column, value, reason, shape)

    def cell(self) -> str:
        """``amount = '12x'`` or ``channel (4 characters: letters)``."""
        if self.value is not None:
            return f"{self.column} = {self.value!r}"
        return f"{self.column} ({self.shape})" if self.shape else self.column

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "shape": self.shape,
            "why": self.reason,
        }


@dataclass
class ImportResult:
    file: TransactionFile | None
    rows: int
    rejected: int
    accounts_new: int
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file.pk) if self.file else None,
            "rows": self.rows,
            "rejected": self.rejected,
            "accounts_new": self.accounts_new,
            "problems": [p.as_dict() for p in self.problems],
        }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _xlsx_to_csv(path: Path, out: Path) -> None:
    """Stream the first sheet of an XLSX into a CSV DuckDB can read (cells bounded)."""
    from openpyxl import load_workbook

    # inflated sizes, DTDs and entities, over-long text runs: refused while streaming,
    # before openpyxl builds anything (ADR 0050, 0059)
    files.check_zip(path)
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = ["" if v is None else str(v) for v in row]
                for c, text in enumerate(cells, start=1):
                    if len(text) > MAX_CELL:
                        raise Invalid(
                            f"{path.name}: row {n}, column {c}: a cell of {len(text)} "
                            f"characters (the limit is {MAX_CELL})",
                            code="cell_too_long",
                            detail={"file": path.name, "row": n, "column": c},
                        )
                writer.writerow(cells)
    finally:
        wb.close()


def _source(
    con: duckdb.DuckDBPyConnection, path: Path, tmp: Path, xml_lines: list[int]
) -> list[str]:
    """Create the view ``src`` (every column as text, plus ``line``); return the header.
    An XML statement or report is first written in Vigie's layout (``bankfiles``); the line of
    each of its rows in the XML is appended to ``xml_lines``."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        csv_path = tmp / "sheet.csv"
        _xlsx_to_csv(path, csv_path)
    elif bankfiles.kind_of(path) is not None:
        csv_path = tmp / "statement.csv"
        xml_lines.extend(bankfiles.to_csv(path, csv_path))
    else:
        csv_path = path
    reader = (
        f"read_csv({_lit(str(csv_path))}, all_varchar=true, header=true, "
        f"max_line_size={MAX_CELL * 16}, strict_mode=true)"
    )
    try:
        con.execute(f"CREATE TEMP VIEW raw AS SELECT * FROM {reader}")
        header = [r[0] for r in con.execute("DESCRIBE raw").fetchall()]
    except duckdb.Error as exc:
        raise Invalid(
            f"{path.name}: not a readable CSV file ({str(exc).splitlines()[0]})",
            code="file_unreadable",
            detail={"file": path.name},
        ) from None
    con.execute("CREATE TEMP VIEW src AS SELECT row_number() OVER () + 1 AS line, * FROM raw")
    return header


def _field_sql(mapping: Mapping, name: str) -> str:
    """The raw text of one Vigie field (a trimmed column, a constant, or NULL)."""
    if name in mapping.constants:
        return _lit(mapping.constants[name])
    column = mapping.source(name)
    return f"nullif(trim({_q(column)}), '')" if column else "NULL::VARCHAR"


def _timestamp_sql(mapping: Mapping, raw: str) -> str:
    fmt = mapping.timestamp_format
    if fmt and fmt.startswith("days_since:"):
        base = fmt.split(":", 1)[1]
        return f"(DATE {_lit(base)} + to_days(TRY_CAST({raw} AS INTEGER)))::TIMESTAMP"
    if fmt:
        return f"try_strptime({raw}, {_lit(fmt)})"
    forms = ["%Y-%m-%dT%H:%M:%S%z", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y%m%d"]
    tries = ", ".join(f"try_strptime({raw}, {_lit(f)})::TIMESTAMP" for f in forms)
    return f"coalesce(TRY_CAST({raw} AS TIMESTAMP), {tries})"


def _channel_sql(mapping: Mapping, raw: str) -> str:
    cases = mapping.values.get("channel", {})
    if not cases:
        return f"lower({raw})"
    whens = " ".join(f"WHEN {_lit(a)} THEN {_lit(b)}" for a, b in cases.items())
    return f"CASE {raw} {whens} ELSE lower({raw}) END"


def _normalise(con: duckdb.DuckDBPyConnection, mapping: Mapping) -> None:
    f = {name: _field_sql(mapping, name) for name in FIELDS}
    con.execute(
        f"""CREATE TEMP TABLE norm AS SELECT line,
        {f["tx_id"]} AS tx_id,
        {f["ts"]} AS ts_raw, {_timestamp_sql(mapping, f["ts"])} AS ts,
        {f["amount"]} AS amount_raw,
        TRY_CAST(replace({f["amount"]}, ',', '') AS DECIMAL(18,2)) AS amount,
        upper({f["currency"]}) AS currency,
        {f["from_account"]} AS from_account, {f["to_account"]} AS to_account,
        {_channel_sql(mapping, f["channel"])} AS channel,
        upper({f["from_country"]}) AS from_country, upper({f["to_country"]}) AS to_country,
        {f["location"]} AS location, {f["merchant_category"]} AS merchant_category,
        {f["from_name"]} AS from_name, {f["to_name"]} AS to_name
        FROM src"""
    )
    # The keyed pseudonym once per distinct account number, not twice per row: a file has far
    # fewer accounts than transactions, and the HMAC (two SHA-256 in SQL) is the costly part.
    # The keys are joined on once, while the Parquet file is written (ADR 0806): the checks
    # and the accounts read the numbers, and ten million rows are not copied a second time.
    con.execute(
        f"""CREATE TEMP TABLE account_keys AS SELECT n, {keys.sql_account_key("n")} AS k
        FROM (SELECT from_account AS n FROM norm WHERE from_account IS NOT NULL
              UNION SELECT to_account FROM norm WHERE to_account IS NOT NULL)"""
    )


def _problems_sql(has_existing: bool) -> str:
    channels = ", ".join(_lit(c) for c in CHANNELS)
    checks = [
        "SELECT line, 'tx_id' AS col, NULL AS value, 'missing' AS why FROM norm "
        "WHERE tx_id IS NULL",
        "SELECT line, 'ts', ts_raw, CASE WHEN ts_raw IS NULL THEN 'missing' "
        "ELSE 'not a date and time' END FROM norm WHERE ts IS NULL",
        "SELECT line, 'amount', amount_raw, CASE WHEN amount_raw IS NULL THEN 'missing' "
        "ELSE 'not a number' END FROM norm WHERE amount IS NULL",
        "SELECT line, 'amount', amount_raw, 'negative' FROM norm WHERE amount < 0",
        f"SELECT line, 'channel', channel, 'not one of {', '.join(CHANNELS)}' FROM norm "
        f"WHERE channel IS NOT NULL AND channel NOT IN ({channels})",
        "SELECT line, 'from_account', NULL, 'neither account given' FROM norm "
        "WHERE from_account IS NULL AND to_account IS NULL",
        "SELECT line, 'from_account', NULL, 'no letter or digit in the account number' "
        "FROM norm WHERE from_account IN (SELECT n FROM account_keys WHERE k IS NULL)",
        "SELECT line, 'to_account', NULL, 'no letter or digit in the account number' "
        "FROM norm WHERE to_account IN (SELECT n FROM account_keys WHERE k IS NULL)",
        "SELECT n.line, 'tx_id', n.tx_id, 'repeats line ' || d.first FROM norm n JOIN ("
        "SELECT tx_id, min(line) AS first FROM norm WHERE tx_id IS NOT NULL "
        "GROUP BY tx_id HAVING count(*) > 1) d ON n.tx_id = d.tx_id WHERE n.line > d.first",
    ]
    if has_existing:
        checks.append(
            "SELECT line, 'tx_id', tx_id, 'already imported' FROM norm "
            "WHERE tx_id IN (SELECT tx_id FROM tx)"
        )
    return " UNION ALL ".join(checks)


def import_file(
    actor: Actor,
    organisation: Any,
    path: Path,
    mapping: Mapping,
    *,
    partial: bool = False,
    name: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file of transactions for ``organisation`` (see the module docstring)."""
    actor.require("finance.import", organisation.pk)
    name = name or path.name
    report = progress or (lambda done, total, message: None)
    digest = _sha256(path)
    existing_files = list(TransactionFile.objects.filter(organisation=organisation))
    same = next((f for f in existing_files if f.sha256 == digest), None)
    if same is not None:
        raise Conflict(
            f"{name}: this file was already imported on {same.imported_at:%Y-%m-%d}",
            code="already_imported",
            detail={"file": name, "import": str(same.pk)},
        )
    report(0, 4, "reading")
    # the converted CSV and DuckDB's spill hold account numbers and holders in clear: kept
    # where plaintext copies of uploads go (memory when there is room; ADR 0022, 0059)
    plain = filecrypt.plain_dir(2 * path.stat().st_size)
    with tempfile.TemporaryDirectory(prefix="vigie-finance-", dir=plain) as tmpdir:
        con = store.connect(organisation.pk, existing_files)
        # The normalised file is materialised once (checks, write and accounts read it);
        # DuckDB spills to this directory when it outgrows memory.
        con.execute(f"SET temp_directory = {_lit(tmpdir)}")
        xml_lines: list[int] = []
        header = _source(con, path, Path(tmpdir), xml_lines)
        if xml_lines and mapping is not IDENTITY_MAPPING:
            raise Invalid(
                f"{name}: a camt.053 statement or goAML report has a fixed layout; "
                "import it without a mapping file",
                code="mapping_not_applicable",
                detail={"file": name},
            )
        mapping = mapping.for_header(header)
        absent = [
            f"{column} (for {fname})"
            for fname, column in mapping.columns.items()
            if column not in header
        ]
        if absent:
            raise Invalid(
                f"{name}: no column {', '.join(absent)} in the header "
                f"(found: {', '.join(header[:30])}); fix the mapping file",
                code="column_missing",
                detail={"file": name, "missing": absent},
            )
        _normalise(con, mapping)
        report(1, 4, "checking")
        con.execute(f"CREATE TEMP TABLE bad AS {_problems_sql(bool(existing_files))}")
        rejected_lines = con.execute("SELECT count(DISTINCT line) FROM bad").fetchone()
        rejected = int(rejected_lines[0]) if rejected_lines else 0

        def where(line: int) -> int:  # the XML line of a row, for an XML input
            return xml_lines[line - 2] if xml_lines and 2 <= line < len(xml_lines) + 2 else line

        problems = [
            Problem.of(where(int(line)), col, value, why)
            for line, col, value, why in con.execute(
                f"SELECT * FROM bad ORDER BY line, col LIMIT {MAX_PROBLEMS}"
            ).fetchall()
        ]
        if rejected and not partial:
            shown = "; ".join(f"line {p.line}, {p.cell()}: {p.reason}" for p in problems[:10])
            raise Invalid(
                f"{name}: {rejected} row(s) refused, nothing imported. {shown}",
                code="rows_invalid",
                detail={
                    "file": name,
                    "rejected": rejected,
                    "problems": [p.as_dict() for p in problems],
                },
            )
        report(2, 4, "writing")
        tx_file = TransactionFile(
            organisation=organisation,
            name=name[:255],
            sha256=digest,
            imported_by=actor.user,
        )
        final = store.path_of(tx_file)
        partial_path = final.with_name(final.name + ".tmp")
        keep = "WHERE line NOT IN (SELECT line FROM bad)" if rejected else ""
        # Not sorted: every rule orders what it needs, and a sort of ten million rows was a
        # third of the write (ADR 0806).
        columns = ", ".join(
            "fk.k AS from_key" if c == "from_key" else "tk.k AS to_key" if c == "to_key" else c
            for c in store.COLUMNS
        )
        con.execute(
            f"COPY (SELECT {columns} FROM norm "
            "LEFT JOIN account_keys fk ON fk.n = norm.from_account "
            f"LEFT JOIN account_keys tk ON tk.n = norm.to_account {keep}) "
            f"TO {_lit(str(partial_path))} (FORMAT parquet, COMPRESSION zstd)"
        )
        stats = con.execute(
            f"SELECT count(*), min(ts), max(ts) FROM read_parquet({_lit(str(partial_path))})"
        ).fetchone()
        # The numbers themselves, once per key, for the encrypted column of Account; grouped
        # by number first so that the keys are joined on to the distinct numbers only.
        accounts = con.execute(
            "SELECT k.k, any_value(k.n), min(a.first), max(a.last), any_value(a.country), "
            "any_value(a.holder) FROM (SELECT acct, min(ts) AS first, max(ts) AS last, "
            "any_value(country) AS country, any_value(holder) AS holder FROM ("
            "SELECT from_account AS acct, ts, from_country AS country, "
            f"from_name AS holder FROM norm {keep} "
            f"UNION ALL SELECT to_account, ts, to_country, to_name FROM norm {keep}) "
            "WHERE acct IS NOT NULL GROUP BY acct) a JOIN account_keys k ON k.n = a.acct "
            "WHERE k.k IS NOT NULL GROUP BY k.k"
        ).fetchall()
        con.close()
    report(3, 4, "recording")
    rows = int(stats[0]) if stats else 0
    tz = timezone.get_current_timezone()
    try:
        with transaction.atomic():
            tx_file.rows, tx_file.rejected = rows, rejected
            if stats and stats[1] is not None:
                tx_file.first_at = timezone.make_aware(stats[1], tz)
                tx_file.last_at = timezone.make_aware(stats[2], tz)
            tx_file.save()
            new_ids, changed_ids = _record_accounts(organisation, accounts, tz)
            partial_path.rename(final)
            announce(
                "finance.transactionfile",
                [tx_file.pk],
                actor,
                action="created",
                organisation_id=organisation.pk,
            )
            if new_ids or changed_ids:
                announce(
                    "finance.account",
                    new_ids + changed_ids,
                    actor,
                    action="mixed",
                    organisation_id=organisation.pk,
                )
    except BaseException:
        partial_path.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        raise
    report(4, 4, "imported")
    return ImportResult(tx_file, rows, rejected, len(new_ids), problems)
