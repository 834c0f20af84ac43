"""Mapping files (--mapping): any table layout imported by renaming columns and recoding values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.cases import records
from vigie.cases.cli import cases as cases_cli
from vigie.cases.interchange import mapping
from vigie.cases.models import Case, Exploitation, Victim
from vigie.testing import World

MAPPING = """\
# a partner's spreadsheet, in French
layout: vigie
columns:
  Numéro: case.source_record_id
  Source: case.source_type
  Année: case.identification_year
  Sexe: victim.sex
  Âge: victim.age_at_identification
  Pays d'exploitation: exploitation.country
  Formes: exploitation.forms
values:
  victim.sex:
    F: female
    H: male
  case.source_type:
    Dossier: case_management
"""

ROWS = """\
Numéro,Source,Année,Sexe,Âge,Pays d'exploitation,Formes,Commentaire
A-1,Dossier,2019,F,16,LY,forced_labour;sexual_exploitation,ignored
A-2,Dossier,2020,H,,IQ,forced_labour,ignored
"""


def _files(tmp_path: Path, rows: str = ROWS, rules: str = MAPPING) -> tuple[Path, Path]:
    data = tmp_path / "partner.csv"
    data.write_text(rows, encoding="utf-8")
    rules_file = tmp_path / "partner.yaml"
    rules_file.write_text(rules, encoding="utf-8")
    return data, rules_file


def _import(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cases_cli, ["import", *args, "--org", "own-org", "--user", "u-analyst"]
    )
    return result.exit_code, result.output


def test_mapping_file_imports_another_layout(world: World, tmp_path: Path) -> None:
    data, rules = _files(tmp_path)
    code, out = _import(str(data), "--mapping", str(rules), "--json")
    assert code == 0, out
    assert json.loads(out)["created"] == 2
    case = Case.objects.get(source_record_id="A-1")
    assert (case.source_type, case.identification_year) == ("case_management", 2019)
    victim = Victim.objects.get(case=case)
    assert (victim.sex, victim.age_at_identification) == ("female", 16)
    exploitation = Exploitation.objects.get(case=case)
    assert exploitation.country == "LY"
    assert sorted(exploitation.forms) == ["forced_labour", "sexual_exploitation"]
    code, out = _import(str(data), "--mapping", str(rules), "--json")
    assert code == 0 and json.loads(out)["updated"] == 2  # idempotent by source record id
    assert Case.objects.count() == 2


def test_mapped_problems_name_the_source_column(world: World, tmp_path: Path) -> None:
    data, rules = _files(tmp_path, ROWS.replace(",F,", ",X,").replace(",IQ,", ",ZZ,"))
    code, out = _import(str(data), "--mapping", str(rules), "--dry-run", "--json")
    assert code == 1, out
    problems = {(p["row"], p["column"]): p for p in json.loads(out)["problems"]}
    assert problems[(2, "Sexe")]["value"] == "X"
    assert "ISO 3166" in problems[(3, "Pays d'exploitation")]["reason"]
    assert Case.objects.count() == 0


def test_mapping_onto_the_ctdc_layout(world: World, tmp_path: Path) -> None:
    rules = (
        "layout: ctdc\ncolumns: {Sexe: gender, Nat: citizenship}\nvalues: {gender: {F: Female}}\n"
    )
    data, rules_file = _files(tmp_path, "Sexe,Nat\nF,NG\nF,SY\n", rules)
    code, out = _import(str(data), "--mapping", str(rules_file), "--json")
    assert code == 0, out
    assert sorted(Victim.objects.values_list("citizenship", flat=True)) == ["NG", "SY"]
    data.write_text("Sexe,Nat\nQ,NG\n", encoding="utf-8")
    code, out = _import(str(data), "--mapping", str(rules_file), "--dry-run")
    assert code == 1 and "row 2, column Sexe: value 'Q'" in out, out


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("columns:\n  Sexe: victim.sexe\n", "line 2: column 'Sexe' -> 'victim.sexe': unknown"),
        ("columns:\n  Sexe: [victim.sex\n", "line 3: not valid YAML"),
        ("columns: {A: case.source_type}\nvalues:\n  victim.nope: {F: female}\n", "line 3"),
        ("layout: other\n", "line 1: unknown layout 'other'"),
        ("- a list\n", "a mapping with 'columns' is expected"),
    ],
)
def test_bad_mapping_files_are_refused_clearly(
    world: World, tmp_path: Path, rules: str, message: str
) -> None:
    data, rules_file = _files(tmp_path, rules=rules)
    with pytest.raises(mapping.MappingError) as exc:
        mapping.load(rules_file)
    assert str(exc.value).startswith("mapping file partner.yaml")
    assert message in str(exc.value)
    code, out = _import(str(data), "--mapping", str(rules_file))
    assert code != 0 and message in out
    assert Case.objects.count() == 0


def test_vigie_layout_without_mapping(world: World, tmp_path: Path) -> None:
    data, _ = _files(tmp_path, "case.source_type,victim.sex\ncase_management,male\n")
    code, out = _import(str(data), "--layout", "vigie", "--json")
    assert code == 0, out
    assert Victim.objects.get().sex == "male"
    data.write_text("case.source_type,Sexe\ncase_management,male\n", encoding="utf-8")
    code, out = _import(str(data), "--layout", "vigie")
    assert code != 0 and "row 1, column Sexe: not a Vigie field" in out


@settings(max_examples=150, deadline=None)
@given(
    header=st.lists(st.text(max_size=12), min_size=1, max_size=6),
    cells=st.lists(st.text(max_size=20), max_size=8),
    pick=st.lists(st.integers(0, 500), min_size=6, max_size=6),
    recode=st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=4),
)
def test_mapping_then_validation_never_crashes(
    header: list[str], cells: list[str], pick: list[int], recode: dict[str, str]
) -> None:
    fields = sorted(mapping.vigie_fields())
    chosen = [fields[i % len(fields)] for i in pick[: len(header)]]
    rules = mapping.Mapping(
        "vigie",
        dict(zip(header, chosen, strict=False)),
        {t: recode for t in chosen},
    )
    targets = mapping.header_targets(rules, header)
    record = mapping.vigie_record(mapping.apply(rules, targets, cells))
    parsed = records.validate(record, allow_identity=False)
    for problem in parsed.problems:
        assert isinstance(problem.message, str)
