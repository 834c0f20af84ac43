"""The register through the API and the command line: imports with a mapping (every bad row
reported), scores with their sources, the audit export (formulas neutralised, logged)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from vigie.core.models import AccessLogEntry
from vigie.suppliers.cli import suppliers as suppliers_cli
from vigie.suppliers.models import Party, Supplier
from vigie.testing import World

MAPPING = """\
columns:
  N° fournisseur: supplier.reference
  Raison sociale: supplier.name
  Pays: supplier.country
  Propriétaire: owner.name
  Part: owner.share
  Produit: product.description
  UNSPSC: product.unspsc
  Origine: product.country
values:
  supplier.country:
    Birmanie: MM
"""
GOOD = """\
N° fournisseur,Raison sociale,Pays,Propriétaire,Part,Produit,UNSPSC,Origine
S-10,Synthetic Kiln Co,Birmanie,Amadou Fictif,55,Clay bricks,30131600,Myanmar
S-10,Synthetic Kiln Co,Birmanie,Nadia Inventée,45,Cotton garments,,India
S-11,=HYPERLINK("http://x"),Côte d\u2019Ivoire,,,Cocoa beans,,Côte d'Ivoire
"""
BAD = """\
N° fournisseur,Raison sociale,Pays,Propriétaire,Part,Produit,UNSPSC,Origine
S-20,Synthetic Firm,Atlantis,,,,,
S-21,Synthetic Firm Two,France,Somebody Synthetic,150,Widgets,123,
,No Reference Firm,France,,,,,
"""


def _files(tmp_path: Path, body: str) -> tuple[Path, Path]:
    data, mapping = tmp_path / "fournisseurs.csv", tmp_path / "mapping.yaml"
    data.write_text(body, encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    return data, mapping


def test_import_through_a_mapping_merges_rows(world: World, api: Any, tmp_path: Path) -> None:
    data, mapping = _files(tmp_path, GOOD)
    with data.open("rb") as f, mapping.open("rb") as m:
        res = api(world.users["procurement_officer"]).post(
            "/api/suppliers/import/", {"file": f, "mapping": m}, format="multipart"
        )
    assert res.status_code == 200, res.content
    assert res.json()["created"] == 2
    kiln = Supplier.objects.get(reference="S-10")
    assert kiln.country == "MM" and kiln.products.count() == 2
    assert sorted(p.name for p in Party.objects.filter(supplier=kiln)) == [
        "Amadou Fictif",
        "Nadia Inventée",
    ]
    assert kiln.subject is not None and all(p.subject_id for p in kiln.parties.all())
    # Burma bricks: forced (30) + child (20) + EO 13126 (25); India garments: 30 + 20 + 25
    dol = [p for p in kiln.risk_detail if p["source"].startswith("US DOL")]
    assert sorted((p["good"], p["country"], p["points"]) for p in dol) == [
        ("bricks", "MM", 20),
        ("bricks", "MM", 25),
        ("bricks", "MM", 30),
        ("garments", "IN", 20),
        ("garments", "IN", 25),
        ("garments", "IN", 30),
    ]
    assert kiln.risk_score == 100  # capped


def test_every_bad_row_is_reported_and_nothing_registered(
    world: World, api: Any, tmp_path: Path
) -> None:
    data, mapping = _files(tmp_path, BAD)
    with data.open("rb") as f, mapping.open("rb") as m:
        res = api(world.users["procurement_officer"]).post(
            "/api/suppliers/import/", {"file": f, "mapping": m}, format="multipart"
        )
    assert res.status_code == 400
    errors = {(e["row"], e["column"]): e for e in res.json()["errors"]}
    assert set(errors) == {(2, "Pays"), (3, "Part"), (3, "UNSPSC"), (4, "N° fournisseur")}
    # a word is described, not quoted: a shifted row may put an owner's name there (ADR 0054)
    pays = errors[(2, "Pays")]
    assert pays["value"] == "(8 characters: letters)" and "country" in pays["why"]
    assert errors[(3, "UNSPSC")]["why"] == "a UNSPSC code has 8 digits"
    assert not Supplier.objects.exists()


def test_cli_import_xlsx_rescreen_and_export(world: World, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["supplier.reference", "supplier.name", "supplier.country", "product.good"])
    sheet.append(["X-1", "Synthetic Sugar Mill", "Bolivia (Plurinational State of)", "sugarcane"])
    sheet.append(["X-2", "-2+3", "France", ""])
    path = tmp_path / "s.xlsx"
    book.save(path)
    runner = CliRunner()
    user = world.users["procurement_officer"].username
    out = runner.invoke(suppliers_cli, ["import", str(path), "--user", user, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["created"] == 2
    mill = Supplier.objects.get(reference="X-1")
    assert mill.country == "BO"
    assert {p["points"] for p in mill.risk_detail if p["source"].startswith("US DOL")} == {
        20,
        25,
        30,
    }
    out = runner.invoke(suppliers_cli, ["rescreen", "--user", user, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["scored"] == 2
    target = tmp_path / "register.csv"
    out = runner.invoke(suppliers_cli, ["export", "-o", str(target), "--user", user])
    assert out.exit_code == 0, out.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "reference" and len(rows) == 3
    assert rows[2][1] == "'-2+3"  # a formula-looking name is neutralised
    assert AccessLogEntry.objects.filter(object_type="suppliers.register", action="export").exists()


def test_export_refused_without_permission(world: World, tmp_path: Path) -> None:
    out = CliRunner().invoke(
        suppliers_cli,
        ["export", "-o", str(tmp_path / "x.csv"), "--user", world.users["analyst"].username],
    )
    assert out.exit_code != 0 and not (tmp_path / "x.csv").exists()


def test_api_registration_and_xlsx_export(world: World, api: Any) -> None:
    client = api(world.users["procurement_officer"])
    body = {
        "reference": "API-1",
        "name": "Synthetic Fishing Fleet",
        "country": "Thailand",
        "parties": [{"name": "Somchai Fictif", "role": "director"}],
        "products": [{"description": "Frozen shrimp", "country": "TH"}],
    }
    res = client.post("/api/suppliers/", body, format="json")
    assert res.status_code == 201, res.content
    assert res.json()["country"] == "TH"
    again = client.post("/api/suppliers/", body, format="json")
    assert again.status_code == 409
    bad = client.post(
        "/api/suppliers/", {**body, "reference": "API-2", "country": "Nowhere"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["detail"]["field"] == "country"
    res = client.get("/api/suppliers/export/?as=xlsx")
    assert res.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(res.content)).active
    assert sheet is not None and sheet["A2"].value == "API-1"
    listed = client.get("/api/suppliers/").json()
    assert [s["reference"] for s in listed] == ["API-1"]
    assert api(world.users["analyst"]).get("/api/suppliers/").status_code == 403
