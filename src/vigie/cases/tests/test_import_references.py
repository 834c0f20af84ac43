"""A case imported without a reference gets one; a re-import that changes the case must keep
it findable by that reference: its search text and filter terms describe the stored case,
not the reference the importer drew for the row before it knew the row was an update
(ADR 0047, tenth round)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from vigie import cli as vigie_cli
from vigie.cases.models import Case, CaseTerm
from vigie.cases.search import terms
from vigie.testing import World

COMMON = ["--org", "own-org", "--user", "u-case_manager"]
ROWS = 5


def _vigie() -> click.Group:
    vigie_cli._add_app_commands()
    return vigie_cli.cli


def _file(tmp_path: Path, name: str, column: str, summary: str) -> Path:
    """``ROWS`` generated rows without a reference (``column``: the reference column left
    out, or kept empty), each with ``summary``."""
    out = tmp_path / f"{name}.csv"
    args = ["generate", "--records", str(ROWS), "--layout", "vigie", "-o", str(out)]
    assert CliRunner().invoke(_vigie(), args).exit_code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    ref, at = rows[0].index("case.reference"), rows[0].index("case.summary")
    for row in rows[1:]:
        row[ref], row[at] = "", summary
    if column == "absent":
        rows = [row[:ref] + row[ref + 1 :] for row in rows]
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return out


def _import(path: Path, *extra: str) -> None:
    result = CliRunner().invoke(_vigie(), ["import", str(path), *COMMON, *extra])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("column", ["absent", "empty"])
@pytest.mark.parametrize("mode", [[], ["--partial"]], ids=["staged", "partial"])
def test_a_changed_reimport_keeps_a_drawn_reference_searchable(
    world: World, tmp_path: Path, api: Any, column: str, mode: list[str]
) -> None:
    _import(_file(tmp_path, "first", column, "Recruited near Duhok."), *mode)
    before = dict(Case.objects.values_list("source_record_id", "reference"))
    assert len(before) == ROWS and all(before.values())
    _import(_file(tmp_path, "second", column, "Recruited near Zakho."), *mode)
    after = dict(Case.objects.values_list("source_record_id", "reference"))
    assert after == before  # the re-import updated the cases and kept their references
    client = api(world.users["case_manager"])
    assert client.get("/api/cases/?q=zakho").json()["count"] == ROWS  # the change is in
    for case in Case.objects.all():
        found = client.get(f"/api/cases/?q={case.reference}").json()
        assert [c["reference"] for c in found["results"]] == [case.reference]
        # search text and terms are those of the stored case, no other reference's
        assert case.search_text.split()[0] == case.reference.casefold()
        stored = set(CaseTerm.objects.filter(case=case).values_list("term", flat=True))
        assert stored == terms.terms_of(case.codes_index, case.search_text)


@pytest.mark.parametrize("mode", [[], ["--partial"]], ids=["staged", "partial"])
def test_a_reimport_without_the_summary_column_keeps_the_summary_searchable(
    world: World, tmp_path: Path, api: Any, mode: list[str]
) -> None:
    _import(_file(tmp_path, "first", "empty", "Recruited near Duhok."), *mode)
    second = _file(tmp_path, "second", "empty", "")
    with second.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    at, area = rows[0].index("case.summary"), rows[0].index("case.area")
    for row in rows[1:]:
        row[area] = "Zakho"  # a change, so that the cases are updated
    rows = [row[:at] + row[at + 1 :] for row in rows]
    with second.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    _import(second, *mode)
    client = api(world.users["case_manager"])
    assert client.get("/api/cases/?q=zakho").json()["count"] == ROWS
    assert client.get("/api/cases/?q=duhok").json()["count"] == ROWS  # the summary's word
    for case in Case.objects.all():
        assert case.summary == "Recruited near Duhok."
        stored = set(CaseTerm.objects.filter(case=case).values_list("term", flat=True))
        assert stored == terms.terms_of(case.codes_index, case.search_text)
