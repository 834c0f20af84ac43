"""The code lists load, carry three languages, and their crosswalks match the real standards."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
import yaml

from vigie.cases import codelists
from vigie.cases.codelists import CodeListError, parse
from vigie.devtools.shared_data import SHARED_DATA


def test_every_list_loads_with_three_languages() -> None:
    lists = codelists.load_all()
    assert set(codelists.REQUIRED) <= set(lists)
    for lst in lists.values():
        for code in lst.codes.values():
            assert {"en", "fr", "ar"} <= set(code.labels), (lst.name, code.code)


def test_countries_have_alpha3_and_m49() -> None:
    countries = codelists.get("countries")
    assert len(countries.codes) >= 249
    iq = countries["IQ"]
    assert iq.attrs["alpha3"] == "IRQ"
    assert iq.attrs["m49_region"] == "142" and iq.attrs["m49_subregion"] == "145"
    assert countries["NG"].attrs["m49_subregion"] == "011"
    assert countries["DE"].attrs["m49_subregion"] == "155"
    assert iq.label("fr") == "Iraq" and iq.label("ar") == "العراق"  # the UN's French name (M49)


@pytest.mark.shared_data
def test_armed_group_sanctions_refs_are_on_the_consolidated_list() -> None:
    xml = (SHARED_DATA / "un-sanctions" / "UN_consolidated_2025-04-19.xml").read_text("utf-8")
    listed = set(re.findall(r"<REFERENCE_NUMBER>([^<]+)</REFERENCE_NUMBER>", xml))
    groups = codelists.get("armed_groups")
    refs = {c.code: c.attrs["un_sanctions_ref"] for c in groups.codes.values()}
    assert refs["isil"] == "QDe.115"  # S/2017/939 note 1
    assert refs["boko_haram"] == "QDe.138"
    assert refs["al_shabaab"] == "SOe.001"
    assert refs["lra"] == "CFe.002"
    for code, ref in refs.items():
        if ref is not None:
            assert ref in listed, (code, ref)


@pytest.mark.shared_data
def test_ctdc_crosswalks_name_real_ctdc_columns() -> None:
    book = openpyxl.load_workbook(
        SHARED_DATA / "ctdc" / "CTDC_DATA_DICTIONARY_version_28_11_2017.xlsx", read_only=True
    )
    columns = {str(r[0]).strip() for r in book["Main"].iter_rows(values_only=True) if r[0]}
    # the April 2020 63-column header (SOURCES.md) adds isSlaveryAndPractices
    sources = (SHARED_DATA / "ctdc" / "SOURCES.md").read_text("utf-8")
    header = sources.split("Raw 63-column header (Apr 2020 release): ")[1].split(" (source")[0]
    columns |= {c.strip() for c in header.split(",")}
    for name in ("means", "exploitation_forms", "labour_sectors", "sex_exploitation_types"):
        for code in codelists.get(name).codes.values():
            value = code.xwalk.get("ctdc")
            if value:
                assert value in columns, (name, code.code, value)


@pytest.mark.shared_data
def test_htcds_crosswalks_name_real_htcds_choices() -> None:
    book = openpyxl.load_workbook(SHARED_DATA / "htcds" / "htcds_xlsform.xlsx", read_only=True)
    choices: dict[str, set[str]] = {}
    for row in book["choices"].iter_rows(values_only=True, min_row=2):
        if row[0] and row[1]:
            choices.setdefault(str(row[0]), set()).add(str(row[1]).strip())
    pairs = {
        "sex": "gender",
        "means": "methodsofcontrol",
        "exploitation_forms": "typeofexploitation",
        "labour_sectors": "forcedlabourindustry",
        "trafficking_status": "traffickingstatus",
        "recruitment_channels": "methodofrecruitment",
    }
    for ours, theirs in pairs.items():
        for code in codelists.get(ours).codes.values():
            value = code.xwalk.get("htcds")
            if value:
                assert value in choices[theirs], (ours, code.code, value)


def test_reverse_crosswalk_prefers_the_declared_code() -> None:
    assert codelists.get("means").from_external("ctdc", "meansOfControlOther") == "other"
    assert codelists.get("exploitation_forms").from_external("ctdc", "isOtherExploit") == "other"
    assert codelists.get("exploitation_forms").from_external("ctdc", "isForcedMilitary") == (
        "armed_recruitment"
    )
    assert codelists.get("sex").from_external("ctdc", " female ") == "female"
    assert codelists.get("sex").from_external("ctdc", "Martian") is None


def test_age_band_for() -> None:
    assert codelists.age_band_for(0) == "0-8"
    assert codelists.age_band_for(17) == "9-17"
    assert codelists.age_band_for(18) == "18-20"
    assert codelists.age_band_for(90) == "48+"


BAD = [
    ({"version": 1, "title": {}, "codes": []}, "missing key 'list'"),
    (
        {"list": "x", "version": 1, "title": {"en": "X", "fr": "X"}, "codes": [{"code": "a"}]},
        "title: label missing in ar",
    ),
    (
        {
            "list": "x",
            "version": 1,
            "title": {"en": "X", "fr": "X", "ar": "X"},
            "codes": [
                {"code": "a", "label": {"en": "A", "fr": "A", "ar": "A"}},
                {"code": "a", "label": {"en": "A", "fr": "A", "ar": "A"}},
            ],
        },
        "code 'a': duplicated",
    ),
    (
        {
            "list": "x",
            "version": 1,
            "title": {"en": "X", "fr": "X", "ar": "X"},
            "codes": [
                {"code": "a", "label": {"en": "A", "fr": "A", "ar": "A"}, "xwalk": {"ctdc": "A"}}
            ],
        },
        "crosswalk to undeclared standard ['ctdc']",
    ),
    (
        {
            "list": "x",
            "version": 1,
            "title": {"en": "X", "fr": "X", "ar": "X"},
            "codes": [{"code": "a b", "label": {"en": "A", "fr": "A", "ar": "A"}}],
        },
        "code 'a b': codes are",
    ),
    (
        # `{en: Road (car, bus), ...}` in a YAML flow mapping: the comma cut the label
        yaml.safe_load(
            "{list: x, version: 1, title: {en: X, fr: X, ar: X}, "
            "codes: [{code: a, label: {en: Road (car, bus), fr: R, ar: R}}]}"
        ),
        "label cut at a comma (bus)",
    ),
]


def test_labels_with_commas_are_whole() -> None:
    assert codelists.get("transport_modes").label("road", "en") == "Road (car, bus, truck)"
    assert codelists.get("verification_status").label("reported", "fr") == "Signalé, non vérifié"


@pytest.mark.parametrize(("doc", "message"), BAD)
def test_malformed_lists_are_refused_with_the_reason(doc: dict, message: str) -> None:
    with pytest.raises(CodeListError, match=re.escape(message)):
        parse(doc, "x.yaml")


def test_a_broken_reference_between_lists_is_refused(tmp_path: Path) -> None:
    for path in codelists.DATA_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text("utf-8"), "utf-8")
    target = tmp_path / "armed_groups.yaml"
    doc = yaml.safe_load(target.read_text("utf-8"))
    doc["codes"][0]["situations"] = ["atlantis"]
    target.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    with pytest.raises(CodeListError, match="unknown situation 'atlantis'"):
        codelists.load_dir(tmp_path)
