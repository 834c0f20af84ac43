"""Parsers: the real list files in ../shared/data, malformed input, and properties."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.devtools.shared_data import SHARED_DATA
from vigie.screening.parsers import ListFormatError, parse
from vigie.screening.tests.factories import SAMPLE, un_entity, un_individual, un_xml, write

UN_2020 = SHARED_DATA / "un-sanctions" / "UN_consolidated_2020-11-30.xml"
UN_2025 = SHARED_DATA / "un-sanctions" / "UN_consolidated_2025-04-19.xml"
OFAC = SHARED_DATA / "ofac"


@pytest.mark.shared_data
def test_un_2025_snapshot_keeps_every_field() -> None:
    parsed = parse(UN_2025)
    assert parsed.code == "un-sc" and parsed.published.startswith("2025-04-19")
    assert len(parsed.entries) == 684 + 193
    e = next(x for x in parsed.entries if x.reference == "LYi.021")
    assert e.caption == "Ermias Alem" and e.schema == "Person"
    names = {n["name"]: n for n in e.names}
    assert names["Ermies Ghermay"]["quality"] == "low"
    assert names["Ermias Ghermay, Guro"]["quality"] == "good"
    assert e.birth_dates == ["1980"] and e.nationalities == ["Eritrea"]
    assert e.listed_on == "2018-06-07" and e.regime == "Libya"
    assert "Tripoli" in e.addresses[0]
    assert "trafficking" in " ".join(e.extra["designation"])
    originals = [x for x in parsed.entries if any(n["kind"] == "original_script" for n in x.names)]
    assert len(originals) > 300


@pytest.mark.shared_data
def test_un_2020_snapshot() -> None:
    parsed = parse(UN_2020)
    assert len(parsed.entries) == 713 + 305
    docs = [d for e in parsed.entries for d in e.documents if d["number"]]
    assert len(docs) > 300


@pytest.mark.shared_data
def test_ofac_legacy_csv_with_aliases_addresses_and_remarks() -> None:
    parsed = parse(OFAC / "sdn.csv")
    assert parsed.code == "ofac-sdn" and len(parsed.entries) == 8976
    e = next(x for x in parsed.entries if x.reference == "306")
    assert e.caption == "BANCO NACIONAL DE CUBA"
    assert "NATIONAL BANK OF CUBA" in [n["name"] for n in e.names]
    assert any("Zurich" in a for a in e.addresses)
    person = next(x for x in parsed.entries if x.birth_dates and x.documents)
    assert person.schema == "Person" and person.documents[0]["number"]


@pytest.mark.shared_data
def test_ofac_sdnlist_xml() -> None:
    parsed = parse(OFAC / "ofac_consolidated_nonSDN_2025-03-28.xml")
    assert parsed.code == "ofac-cons" and len(parsed.entries) == 443
    e = next(x for x in parsed.entries if x.reference == "9640")
    assert "Mohammad Mahmoud ABOU TAYR" in [n["name"] for n in e.names]
    assert e.birth_dates == ["1951"] and e.programmes == ["NS-PLC"]


@pytest.mark.shared_data
def test_ftm_json_lines() -> None:
    parsed = parse(SHARED_DATA / "opensanctions-ftm" / "t1_entities.ftm.json")
    assert parsed.source == "ftm"
    person = next(e for e in parsed.entries if e.caption == "Vitaly Yurievich KUZMENKO")
    cyrillic = "Виталий Юрьевич КУЗЬМЕНКО"  # noqa: RUF001
    assert cyrillic in [n["name"] for n in person.names]
    assert person.birth_dates == ["1971-01-22"] and person.nationalities == ["ru"]


def test_csv_with_mapping(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ungm.csv",
        "Vendor ID,Vendor name,Country,Also known as\nV-1,Acme Synthetic Trading SARL,FR,Acme ST\n",
    )
    parsed = parse(
        path,
        "csv",
        mapping={
            "reference": "Vendor ID",
            "name": "Vendor name",
            "country": "Country",
            "aliases": "Also known as",
        },
        code="ungm",
    )
    assert parsed.code == "ungm"
    assert parsed.entries[0].reference == "V-1" and len(parsed.entries[0].names) == 2


def test_csv_missing_name_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "id,label\n1,Foo\n")
    with pytest.raises(ListFormatError, match="no column 'name'"):
        parse(path, "csv")


@pytest.mark.shared_data
@pytest.mark.parametrize("cut", [200, 1000, 5000, 500_000])
def test_truncated_un_file_is_refused_with_line(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "UN.xml"
    path.write_bytes(UN_2025.read_bytes()[:cut])
    with pytest.raises(ListFormatError) as err:
        parse(path, "un")
    assert "UN.xml, line" in str(err.value)


def test_wrong_root_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "x.xml", "<?xml version='1.0'?><SOMETHING_ELSE/>")
    with pytest.raises(ListFormatError, match="root element is <SOMETHING_ELSE>"):
        parse(path, "un")


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY xxe SYSTEM "http://127.0.0.1:9/x">]>'
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol2;&xxe;</FIRST_NAME>"
        "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    path = write(tmp_path, "bomb.xml", bomb)
    with pytest.raises(ListFormatError, match="DOCTYPE is not allowed"):
        parse(path, "un")


def test_entry_without_reference_is_refused(tmp_path: Path) -> None:
    xml = un_xml([un_individual("", "Nameless")])
    with pytest.raises(ListFormatError, match="REFERENCE_NUMBER is missing"):
        parse(write(tmp_path, "u.xml", xml), "un")


def test_repeated_reference_is_refused(tmp_path: Path) -> None:
    xml = un_xml([un_individual("X.1", "A"), un_individual("X.1", "B")])
    with pytest.raises(ListFormatError, match="reference number repeated"):
        parse(write(tmp_path, "u.xml", xml), "un")


def test_ofac_csv_wrong_columns_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "sdn.csv", '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA"\n')
    with pytest.raises(ListFormatError, match=r"sdn.csv, line 1: 4 columns, expected 12"):
        parse(path, "ofac")


def test_ftm_bad_json_line_is_refused(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "schema": "Person", "properties": {"name": ["A B"]}})
    path = write(tmp_path, "x.json", good + '\n{"id": "b", "sch')
    with pytest.raises(ListFormatError, match=r"x.json, line 2: not JSON"):
        parse(path, "ftm")


NAME = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo"), max_codepoint=0x6FF),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() != "")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.lists(st.tuples(NAME, NAME, st.lists(NAME, max_size=3)), min_size=1, max_size=6),
    orgs=st.lists(NAME, max_size=3),
)
def test_un_round_trip_property(tmp_path: Path, people: list, orgs: list) -> None:
    individuals = [
        un_individual(f"QDi.{i}", first, second, aliases=tuple((a, "Good") for a in aliases))
        for i, (first, second, aliases) in enumerate(people)
    ]
    entities = [un_entity(f"QDe.{i}", name) for i, name in enumerate(orgs)]
    parsed = parse(write(tmp_path, "p.xml", un_xml(individuals, entities)), "un")
    assert len(parsed.entries) == len(people) + len(orgs)
    for (first, second, aliases), entry in zip(people, parsed.entries, strict=False):
        assert entry.caption == " ".join(f"{first} {second}".split())
        listed = {n["name"] for n in entry.names}
        assert {" ".join(a.split()) for a in aliases} <= listed


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=0, max_value=10_000))
def test_any_truncation_is_refused_cleanly(tmp_path: Path, cut: int) -> None:
    text = un_xml(SAMPLE, [un_entity("QDe.1", "Synthetic Trading Company")]).encode()
    cut = cut % (len(text) - 2)
    path = tmp_path / "t.xml"
    path.write_bytes(text[:cut])
    with pytest.raises(ListFormatError):
        parse(path, "un")
