"""Malformed XML lists, for both XML formats (UN Consolidated List and OFAC sdnList): a
truncated file, a wrong root element, entity expansion (internal "billion laughs", quadratic
blow-up, external entities and an external DTD) are refused with the file and line, without
resolving any entity or touching the network."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigie.devtools.shared_data import SHARED_DATA
from vigie.screening.parsers import ListFormatError, parse

REAL = {
    "un": SHARED_DATA / "un-sanctions" / "UN_consolidated_2025-04-19.xml",
    "ofac": SHARED_DATA / "ofac" / "ofac_consolidated_nonSDN_2025-03-28.xml",
}
ROOT = {"un": "CONSOLIDATED_LIST", "ofac": "sdnList"}

DOCTYPES = {
    "billion laughs": (
        '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
        "&c;",
    ),
    "quadratic blow-up": (f'<!DOCTYPE r [<!ENTITY big "{"x" * 50_000}">]>', "&big;" * 200),
    "external file": ('<!DOCTYPE r [<!ENTITY f SYSTEM "file:///etc/passwd">]>', "&f;"),
    "external url": ('<!DOCTYPE r [<!ENTITY u SYSTEM "http://127.0.0.1:9/x">]>', "&u;"),
    "external dtd": ('<!DOCTYPE r SYSTEM "http://127.0.0.1:9/list.dtd">', "name"),
}


@pytest.mark.parametrize("source", ["un", "ofac"])
@pytest.mark.parametrize("attack", sorted(DOCTYPES))
def test_entity_tricks_are_refused(tmp_path: Path, source: str, attack: str) -> None:
    doctype, text = DOCTYPES[attack]
    path = tmp_path / "list.xml"
    path.write_text(
        f'<?xml version="1.0"?>{doctype}<{ROOT[source]}><x>{text}</x></{ROOT[source]}>',
        encoding="utf-8",
    )
    with pytest.raises(ListFormatError) as err:
        parse(path, source)
    message = str(err.value)
    assert "list.xml" in message
    assert "root:" not in message and "/etc/passwd" not in message


@pytest.mark.shared_data
@pytest.mark.parametrize("source", ["un", "ofac"])
@pytest.mark.parametrize("keep", [0.0, 0.3, 0.999])
def test_truncated_real_file_is_refused_with_line(tmp_path: Path, source: str, keep: float) -> None:
    data = REAL[source].read_bytes()
    path = tmp_path / f"{source}.xml"
    path.write_bytes(data[: max(1, int(len(data) * keep))])
    with pytest.raises(ListFormatError, match=rf"{source}\.xml, line \d+"):
        parse(path, source)


@pytest.mark.shared_data
@pytest.mark.parametrize("source", ["un", "ofac"])
def test_the_other_format_is_a_wrong_root(source: str) -> None:
    other = "ofac" if source == "un" else "un"
    with pytest.raises(ListFormatError, match=f"expected <{ROOT[source]}>"):
        parse(REAL[other], source)
