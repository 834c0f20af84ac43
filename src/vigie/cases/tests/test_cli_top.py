"""Top-level commands: `vigie import`, `vigie export`, `vigie generate`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
from click.testing import CliRunner

from vigie import cli as vigie_cli
from vigie.cases.interchange import layouts
from vigie.cases.models import Case
from vigie.testing import World


def _vigie() -> click.Group:
    vigie_cli._add_app_commands()
    return vigie_cli.cli


def test_generate_is_deterministic_and_imports_in_both_layouts(
    world: World, tmp_path: Path
) -> None:
    runner = CliRunner()
    vigie = _vigie()
    assert {"import", "export", "generate", "cases"} <= set(vigie.commands)
    files = {}
    for name, layout, seed in (
        ("a", "ctdc", 1),
        ("b", "ctdc", 1),
        ("c", "ctdc", 2),
        ("v", "vigie", 1),
    ):
        out = tmp_path / f"{name}.csv"
        args = ["generate", "--records", "40", "--seed", str(seed), "-o", str(out)]
        result = runner.invoke(vigie, [*args, "--layout", layout])
        assert result.exit_code == 0, result.output
        assert "40 synthetic record(s)" in result.output
        files[name] = out
    assert files["a"].read_bytes() == files["b"].read_bytes()
    assert files["a"].read_bytes() != files["c"].read_bytes()
    with files["a"].open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == layouts.CTDC_COLUMNS and len(rows) == 41
    assert "given_name" not in files["v"].read_text(encoding="utf-8").splitlines()[0]

    common = ["--org", "own-org", "--user", "u-analyst", "--json"]
    result = runner.invoke(
        vigie, ["import", str(files["a"]), "--layout", "ctdc", "--dry-run", *common]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rows"] == 40 and Case.objects.count() == 0
    result = runner.invoke(vigie, ["import", str(files["v"]), "--layout", "vigie", *common])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"] == 40
    assert Case.objects.filter(source_record_id="demo-000007").exists()

    out = tmp_path / "export.csv"
    result = runner.invoke(
        vigie, ["export", "--format", "csv", "-o", str(out), "--user", "u-analyst"]
    )
    assert result.exit_code == 0, result.output
    assert "40 case(s)" in result.output


def test_format_is_still_accepted_for_layout(world: World, tmp_path: Path) -> None:
    out = tmp_path / "g.csv"
    runner = CliRunner()
    vigie = _vigie()
    assert runner.invoke(vigie, ["generate", "--records", "3", "-o", str(out)]).exit_code == 0
    result = runner.invoke(
        vigie,
        [
            "cases",
            "import",
            str(out),
            "--format",
            "ctdc",
            "--org",
            "own-org",
            "--as-system",
            "--dry-run",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 rows" in result.output


def test_generate_with_identities_imports_them_encrypted(world: World, tmp_path: Path) -> None:
    from vigie.cases.models import Victim

    out = tmp_path / "i.csv"
    runner = CliRunner()
    vigie = _vigie()
    refused = runner.invoke(vigie, ["generate", "--records", "3", "-o", str(out), "--identities"])
    assert refused.exit_code != 0 and "--layout vigie" in refused.output
    args = ["generate", "--records", "12", "--layout", "vigie", "--identities", "-o", str(out)]
    assert runner.invoke(vigie, args).exit_code == 0
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"victim.given_name", "victim.family_name", "victim.date_of_birth"} <= set(header)
    result = runner.invoke(
        vigie, ["import", str(out), "--layout", "vigie", "--org", "own-org", "--as-system"]
    )
    assert result.exit_code == 0, result.output
    named = [v for v in Victim.objects.all() if v.family_name]
    assert named and all(v.family_name.startswith("Demo-") for v in named)
