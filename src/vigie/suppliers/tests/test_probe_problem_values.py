"""Probe (issue 15, ADR 0054): a refused supplier row never quotes an owner's name.

The owner's name is identity and never quoted; but a row whose cells are shifted (a name
holding a comma, a column left out) puts the name in an ordinary column, the owner's share or
the country, whose refused value was quoted in the API's answer and the job's result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vigie.suppliers.tests.test_register import _files
from vigie.testing import World

SHIFTED = """\
N° fournisseur,Raison sociale,Pays,Propriétaire,Part,Produit,UNSPSC,Origine
S-30,Synthetic Firm,France,,Zarqa Haddad,Widgets,,
S-31,Synthetic Firm Two,France,,12x,Widgets,,
"""


def test_probe_a_name_in_an_ordinary_column_is_described(
    world: World, api: Any, tmp_path: Path
) -> None:
    data, mapping = _files(tmp_path, SHIFTED)
    with data.open("rb") as f, mapping.open("rb") as m:
        res = api(world.users["procurement_officer"]).post(
            "/api/suppliers/import/", {"file": f, "mapping": m}, format="multipart"
        )
    assert res.status_code == 400
    assert "Zarqa" not in json.dumps(res.json())
    errors = {(e["row"], e["column"]): e["value"] for e in res.json()["errors"]}
    assert errors[(2, "Part")] == "(12 characters: letters, spaces)"
    assert errors[(3, "Part")] == "12x"  # a value no name can be is still quoted
