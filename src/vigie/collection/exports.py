"""Reading the submissions that KoBoToolbox and ODK Central export, as OpenRosa answers.

Formats (ADR 0910):

- *ODK Central* "All data and media files" (``<form>.csv.zip`` or ``submissions.csv.zip``):
  ``<form_id>.csv`` (one row per submission; group paths joined with ``-``: ``grp-q``;
  ``KEY`` and ``meta-instanceID`` hold the instanceID), one ``<form_id>-<repeat>.csv`` per
  repeat group (``PARENT_KEY`` names the submission or the enclosing repeat row, ``KEY`` ends
  with ``/<repeat>[n]``), and ``media/`` with the attachments named in the answers.
- *KoBoToolbox* XLSX ("XML values and headers"): the first sheet holds the submissions
  (paths joined with ``/``; ``_uuid`` or ``meta/instanceID``, ``_index``), every other sheet
  one repeat group named after it, linked by ``_parent_table_name`` and ``_parent_index``.
- A single CSV (KoBo's, ``;``-separated, or Central's main table): no repeat groups.

Every table is read through the bounded readers of ``vigie.core.files`` (zip bombs, endless
lines, huge cells refused before they reach memory). A repeat row becomes answers
``victims[n]/q`` of its submission, exactly as a device's XML would give them, so the same
mapping profiles apply. Repeat rows are held in memory until their submission is read (the
file limits bound them); submission rows are streamed.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from vigie.core import filecrypt, files, quoting
from vigie.core.errors import Invalid

# columns the servers add that are not answers
CENTRAL_META = {
    "SubmissionDate", "KEY", "PARENT_KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
    "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion",
    "UserAgent", "instanceID", "meta-instanceID", "meta-instanceName", "meta-deprecatedID",
}  # fmt: skip
KOBO_META = {"meta/instanceID", "meta/deprecatedID", "meta/instanceName", "__version__"}
ID_COLUMNS = ("meta-instanceID", "meta/instanceID", "KEY", "instanceID", "_uuid")
VERSION_COLUMNS = ("FormVersion", "__version__", "_version_")
MEDIA_DIR = "media/"


@dataclass
class Problem:
    """A problem of one cell, kept in the job's result: the value is quoted only by the rule
    of vigie.core.quoting (ADR 0054), otherwise ``shape`` describes it. Answers are identity
    (``ordinary=False``): never quoted; ids and keys only when no name could be one."""

    file: str
    row: int
    column: str
    value: str
    why: str
    imported: bool = False
    ordinary: InitVar[bool] = True
    shape: str = ""

    def __post_init__(self, ordinary: bool) -> None:
        if self.value:
            quoted, shape = quoting.shown(self.value, ordinary=ordinary)
            self.value, self.shape = quoted or "", shape or ""

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Row:
    """One submission of the export: where it is, its ids and its answers."""

    file: str
    number: int
    instance_id: str
    version: str
    answers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Table:
    name: str  # file or sheet name, for reports
    open: Callable[[], Iterator[list[str]]]  # its rows, from the top, each time it is called


class Questions:
    """Column names -> question paths of the form (``grp-q``, ``grp/q`` and bare ``q``)."""

    def __init__(self, questions: dict[str, Any]) -> None:
        self.paths = [p for p in questions if p]
        self.types = {p: q.get("type", "") for p, q in questions.items()}
        self.choices = {p: set(q.get("choices") or {}) for p, q in questions.items()}
        names: dict[str, list[str]] = {}
        for p in self.paths:
            names.setdefault(p.rsplit("/", 1)[-1], []).append(p)
        self.lookup = {n: ps[0] for n, ps in names.items() if len(ps) == 1}
        for p in self.paths:
            self.lookup[p] = p
            self.lookup[p.replace("/", "-")] = p

    def path_of(self, column: str) -> str:
        return self.lookup.get(column, "")

    def repeat_path(self, name: str) -> str:
        """The plain path of the repeat group called ``name`` (a table or sheet name)."""
        for p in self.paths:
            parts = p.split("/")
            if name in parts:
                return "/".join(parts[: parts.index(name) + 1])
        return name


def _is_meta(column: str) -> bool:
    return column in CENTRAL_META or column in KOBO_META or column.startswith("_")


def _csv(path: Path, name: str) -> Iterator[list[str]]:
    """A CSV's rows through the bounded reader; ``;`` when the header has more of them."""
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        head = fh.readline(files.limits().max_line_chars)
    delimiter = ";" if head.count(";") > head.count(",") else ","
    try:
        yield from files.csv_rows(path, delimiter=delimiter)
    except Invalid as exc:
        exc.detail.setdefault("file", name)
        raise


def _xlsx_tables(path: Path) -> list[Table]:
    """Every sheet of a workbook, each row checked by ``files.check_row``."""
    import openpyxl

    lim = files.limits()
    files.check_zip(path, lim)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        titles = list(book.sheetnames)
        book.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError):
        raise Invalid(
            _("This file is not a readable XLSX workbook."), code="export_format"
        ) from None

    def rows(title: str) -> Iterator[list[str]]:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for number, row in enumerate(book[title].iter_rows(values_only=True), 1):
                cells = [] if row is None else [files.cell_text(c) for c in row]
                yield files.check_row(path.name, number, cells, lim, title)
        finally:
            book.close()

    return [Table(t, lambda t=t: rows(t)) for t in titles]  # type: ignore[misc]


@contextmanager
def opened(path: Path, form_id: str) -> Iterator[tuple[list[Table], dict[str, Path]]]:
    """The tables of an export (submissions first) and its media files by name."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        yield _xlsx_tables(path), {}
        return
    if suffix == ".csv":
        yield [Table(path.name, lambda: _csv(path, path.name))], {}
        return
    if suffix != ".zip":
        raise Invalid(
            _("Give a KoBoToolbox XLSX or CSV export, or an ODK Central submissions ZIP."),
            code="export_format",
        )
    files.check_zip(path)  # member count and inflated sizes, before anything is extracted
    with zipfile.ZipFile(path) as zf:
        inflated = sum(i.file_size for i in zf.infolist())
    # the tables name people: extracted where the plaintext of encrypted uploads goes (memory
    # when the system has room), in a private folder removed at the end
    folder = Path(tempfile.mkdtemp(prefix="vigie-export-", dir=filecrypt.plain_dir(inflated)))
    try:
        with zipfile.ZipFile(path) as zf:
            csvs: list[tuple[str, Path]] = []
            media: dict[str, Path] = {}
            for info in zf.infolist():
                name = info.filename
                if info.is_dir() or ".." in name or name.startswith("/"):
                    continue
                target = folder / f"{len(csvs) + len(media)}-{Path(name).name}"
                with zf.open(info) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
                if name.lower().endswith(".csv") and MEDIA_DIR not in name:
                    csvs.append((Path(name).name, target))
                elif MEDIA_DIR in name:
                    media[Path(name).name] = target
        main = f"{form_id}.csv"
        csvs.sort(key=lambda c: (c[0] != main, len(c[0]), c[0]))
        if not csvs:
            raise Invalid(_("The ZIP holds no CSV table."), code="export_empty")
        yield [Table(n, lambda n=n, p=p: _csv(p, n)) for n, p in csvs], media  # type: ignore[misc]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _repeat_name(table: str, form_id: str) -> str:
    stem = table.rsplit(".", 1)[0] if table.lower().endswith(".csv") else table
    return stem.removeprefix(f"{form_id}-").rsplit("-", 1)[-1]


class Reader:
    """Joins the tables of one export into rows of answers, reporting every bad row."""

    def __init__(self, form_id: str, questions: dict[str, Any]) -> None:
        self.form_id = form_id
        self.q = Questions(questions)
        self.problems: list[Problem] = []
        # submission key -> repeat answers; a repeat row's key -> its indexed path prefix
        self.repeats: dict[str, list[tuple[str, str]]] = {}
        self.prefix: dict[str, tuple[str, str]] = {}  # key -> (submission key, prefix)

    def _answers(
        self, table: str, number: int, header: list[str], cells: list[str], prefix: tuple[str, str]
    ) -> list[tuple[str, str]]:
        """(path, value) of a row's answer columns; ``prefix``: (plain, indexed) repeat path."""
        out = []
        for column, value in zip(header, cells, strict=False):
            if not value or _is_meta(column):
                continue
            path = self.q.path_of(column) or column
            plain, indexed = prefix
            if plain and path.startswith(plain + "/"):
                path = indexed + path[len(plain) :]
            kind = self.q.types.get(self.q.path_of(column), "")
            allowed = self.q.choices.get(self.q.path_of(column)) or set()
            if kind in ("select1", "select") and allowed:
                bad = [v for v in value.split() if v not in allowed]
                if bad:
                    # the answer is identity (Submission.answers): the report names the cell
                    # and describes the answer, never its text, since it is kept in the
                    # job's result (ADR 0020, 0059, 0054)
                    why = _("not a choice of the question")
                    self.problems.append(
                        Problem(table, number, column, value, why, True, ordinary=False)
                    )
            out.append((path, value))
        return out

    def read_repeat(self, table: Table) -> None:
        """Keep a repeat table's rows, as answers of the submission (or repeat row) above."""
        name = _repeat_name(table.name, self.form_id)
        plain = self.q.repeat_path(name)
        header: list[str] = []
        counts: dict[str, int] = {}
        kobo_keys: dict[tuple[str, str], str] = {}
        for number, cells in enumerate(table.open(), 1):
            if number == 1:
                header = [c.strip() for c in cells]
                continue
            if not any(cells):
                continue
            row = dict(zip(header, cells, strict=False))
            parent = row.get("PARENT_KEY") or kobo_keys.get(
                (row.get("_parent_table_name", ""), row.get("_parent_index", "")), ""
            )
            if not parent and row.get("_parent_index"):
                parent = f"#main:{row['_parent_index']}"
            owner = self.prefix.get(parent)
            if owner is None:
                column = "PARENT_KEY" if "PARENT_KEY" in row else "_parent_index"
                self.problems.append(
                    Problem(
                        table.name, number, column, row.get(column, ""), _("no such parent row")
                    )
                )
                continue
            submission, parent_prefix = owner
            counts[parent] = counts.get(parent, 0) + 1
            n = counts[parent]
            m = re.search(r"\[(\d+)\]$", row.get("KEY", ""))
            n = int(m.group(1)) if m else n
            base = plain
            parent_plain = re.sub(r"\[\d+\]", "", parent_prefix)
            if parent_plain and plain.startswith(parent_plain + "/"):
                base = parent_prefix + plain[len(parent_plain) :]
            indexed = f"{base}[{n}]"
            key = row.get("KEY") or f"#{table.name}:{row.get('_index', number)}"
            self.prefix[key] = (submission, indexed)
            kobo_keys[(table.name, row.get("_index", ""))] = key
            answers = self._answers(table.name, number, header, cells, (plain, indexed))
            self.repeats.setdefault(submission, []).extend(answers)

    def _main(self, table: Table) -> Iterator[tuple[int, list[str], list[str]]]:
        header: list[str] = []
        for number, cells in enumerate(table.open(), 1):
            if number == 1:
                header = [c.strip() for c in cells]
            elif any(cells):
                yield number, header, cells

    def rows(self, tables: list[Table], start: int = 0) -> Iterator[Row | None]:
        """Each submission row from row ``start`` on (None for a bad one, reported): the
        submission table is read once for its keys, then the repeat tables, then it again."""
        main, repeats = tables[0], tables[1:]
        if repeats:
            for _n, header, cells in self._main(main):
                _instance, key = self.key_of(header, cells)
                self.prefix[key] = (key, "")
            for table in repeats:
                self.read_repeat(table)
        seen: set[str] = set()
        for number, header, cells in self._main(main):
            if number < start:
                continue
            row = self.submission(main.name, number, header, cells)
            if row is not None and row.instance_id in seen:
                self.problems.append(
                    Problem(
                        main.name,
                        number,
                        "meta/instanceID",
                        row.instance_id,
                        _("repeated in the file"),
                    )
                )
                row = None
            if row is not None:
                seen.add(row.instance_id)
            yield row

    def key_of(self, header: list[str], cells: list[str]) -> tuple[str, str]:
        """(instance ID, the key repeat rows use for this submission)."""
        row = dict(zip(header, cells, strict=False))
        instance = next((row[c].strip() for c in ID_COLUMNS if row.get(c, "").strip()), "")
        if instance and not instance.startswith("uuid:") and ":" not in instance:
            instance = f"uuid:{instance}"  # KoBo's _uuid leaves the prefix out
        key = row.get("KEY") or (f"#main:{row['_index']}" if row.get("_index") else instance)
        return instance, key

    def submission(
        self, table: str, number: int, header: list[str], cells: list[str]
    ) -> Row | None:
        """A submission row with its repeat answers, or None (the problem is reported)."""
        if len(cells) > len(header) and any(cells[len(header) :]):
            self.problems.append(
                Problem(
                    table,
                    number,
                    files.column_letter(len(header) + 1),
                    "",
                    _("more cells than the header"),
                )
            )
            return None
        instance, key = self.key_of(header, cells)
        if not instance:
            self.problems.append(Problem(table, number, "meta/instanceID", "", _("no instance ID")))
            return None
        row = dict(zip(header, cells, strict=False))
        version = next((row[c] for c in VERSION_COLUMNS if row.get(c)), "")
        answers = self._answers(table, number, header, cells, ("", ""))
        answers += self.repeats.pop(key, [])
        answers.append(("meta/instanceID", instance))
        return Row(table, number, instance[:120], version, answers)
