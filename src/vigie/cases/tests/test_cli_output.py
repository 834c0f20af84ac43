"""What `vigie import` tells a person: the layout found from the header, what a dry run would
write, where a partial import's rejects go, and plain progress lines off a terminal."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
from click.testing import CliRunner
from django.conf import settings

from vigie import cli as vigie_cli
from vigie.cases.models import Case
from vigie.testing import World

COMMON = ["--org", "own-org", "--user", "u-analyst"]


def _vigie() -> click.Group:
    vigie_cli._add_app_commands()
    return vigie_cli.cli


def _generate(tmp_path: Path, name: str, records: int, layout: str) -> Path:
    out = tmp_path / f"{name}.csv"
    args = ["generate", "--records", str(records), "--layout", layout, "-o", str(out)]
    assert CliRunner().invoke(_vigie(), args).exit_code == 0
    return out


def test_layout_found_from_the_header_without_layout(world: World, tmp_path: Path) -> None:
    vigie_file = _generate(tmp_path, "v", 5, "vigie")
    result = CliRunner().invoke(_vigie(), ["import", str(vigie_file), *COMMON, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["layout"] == "vigie" and report["created"] == 5


def test_a_header_of_no_known_layout_is_refused_with_the_way_out(
    world: World, tmp_path: Path
) -> None:
    other = tmp_path / "other.csv"
    other.write_text("name,age,place\nA,30,Goma\n", encoding="utf-8")
    result = CliRunner().invoke(_vigie(), ["import", str(other), *COMMON])
    assert result.exit_code != 0
    assert "--mapping" in result.output and "--layout" in result.output
    assert Case.objects.count() == 0


def test_dry_run_reports_what_it_would_write(world: World, tmp_path: Path) -> None:
    first = _generate(tmp_path, "a", 6, "ctdc")
    result = CliRunner().invoke(_vigie(), ["import", str(first), *COMMON, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would create 6 and update 0 case(s)" in result.output
    assert Case.objects.count() == 0
    assert CliRunner().invoke(_vigie(), ["import", str(first), *COMMON]).exit_code == 0
    result = CliRunner().invoke(_vigie(), ["import", str(first), *COMMON, "--dry-run", "--json"])
    report = json.loads(result.output)
    assert (report["created"], report["updated"]) == (0, 6)


def test_partial_rejects_go_to_the_data_directory(world: World, tmp_path: Path) -> None:
    source = _generate(tmp_path, "p", 4, "ctdc")
    with source.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[2][rows[0].index("yearOfRegistration")] = "not a year"
    with source.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = CliRunner().invoke(_vigie(), ["import", str(source), *COMMON, "--partial"])
    assert result.exit_code == 0, result.output
    written = list((Path(settings.DATA_DIR) / "import-rejects").glob("p-*.rejects.csv"))
    assert len(written) == 1 and "not a year" in written[0].read_text(encoding="utf-8")
    assert f"Rejected rows: {written[0]}" in result.output
    assert not list(tmp_path.glob("*.rejects.csv"))
    # Off a terminal, progress is plain lines: no carriage returns in the output.
    assert "\r" not in result.output
