"""The listing's details kept apart (issue 16, ADR 0540) and FollowTheMoney subtypes kept
through the library's schema model (issue 14, ADR 0542)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigie.devtools.shared_data import SHARED_DATA
from vigie.screening.models import ListEntry
from vigie.screening.parsers import parse
from vigie.screening.services import load_list
from vigie.screening.tests.factories import un_individual, un_xml, write

DATA = Path(__file__).parent / "data"
UN_2025 = SHARED_DATA / "un-sanctions" / "UN_consolidated_2025-04-19.xml"
OFAC = SHARED_DATA / "ofac"


def test_un_details_are_kept_apart(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "un.xml",
        un_xml(
            [
                un_individual(
                    "LYi.950",
                    "Invented",
                    "Person",
                    dob="1975-03-02",
                    nationality="Eritrea",
                    comments="Synthetic narrative.",
                    designation="Leader of an invented network",
                )
            ]
        ),
    )
    details = parse(path).entries[0].details()
    assert details == {
        "designation": "Leader of an invented network",
        "listed_on": "2018-06-07",
        "measures": ["Libya", "UN List"],
        "birth_dates": ["1975-03-02"],
        "nationalities": ["Eritrea"],
        "narrative": "Synthetic narrative.",
    }


@pytest.mark.django_db
def test_loading_stores_the_details_on_the_listing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "un.xml",
        un_xml([un_individual("LYi.951", "Invented", "Other", designation="Smuggler")]),
    )
    load_list(path)
    entry = ListEntry.objects.get(reference="LYi.951")
    assert entry.designation == "Smuggler" and entry.measures == ["Libya", "UN List"]
    assert entry.listed_on == "2018-06-07"


@pytest.mark.shared_data
def test_un_snapshot_details() -> None:
    entry = next(e for e in parse(UN_2025).entries if e.reference == "LYi.021")
    details = entry.details()
    assert (
        "trafficking" in details["designation"].lower()
        or "trafficking" in details["narrative"].lower()
    )
    assert details["listed_on"] == "2018-06-07" and "Libya" in details["measures"]
    assert details["birth_dates"] == ["1980"] and details["nationalities"] == ["Eritrea"]


@pytest.mark.shared_data
def test_ofac_snapshot_details() -> None:
    parsed = parse(OFAC / "ofac_consolidated_nonSDN_2025-03-28.xml")
    details = next(e for e in parsed.entries if e.reference == "9640").details()
    assert details["measures"] == ["NS-PLC"] and details["birth_dates"] == ["1951"]
    sdn = parse(OFAC / "sdn.csv")
    with_title = next(e for e in sdn.entries if e.extra.get("title"))
    assert with_title.details()["designation"] == with_title.extra["title"]
    with_remarks = next(e for e in sdn.entries if e.nationalities and e.comments)
    assert with_remarks.details()["nationalities"] and with_remarks.details()["narrative"]


def test_ftm_subtypes_kept_through_the_schema_model() -> None:
    parsed = parse(DATA / "subtypes.ftm.json")
    kinds = {e.reference: e.schema for e in parsed.entries}
    assert kinds == {
        "t-co-1": "Organization",  # Company is an Organization
        "t-pb-1": "Organization",  # so is PublicBody
        "t-ve-1": "Vessel",
        "t-pe-1": "Person",
    }  # Ownership and a schema the model does not know are left out
    person = next(e for e in parsed.entries if e.reference == "t-pe-1")
    details = person.details()
    assert details["designation"] == "Commander of an invented brigade"
    assert details["listed_on"] == "2019-05-06" and "Invented regime" in details["measures"]
    assert "trafficking" in details["narrative"] and details["birth_dates"] == ["1970-02-03"]


@pytest.mark.shared_data
def test_ftm_snapshot_keeps_companies_and_sanctions() -> None:
    parsed = parse(SHARED_DATA / "opensanctions-ftm" / "zala_entities.ftm.json")
    kinds = [e.schema for e in parsed.entries]
    assert kinds.count("Person") == 6 and kinds.count("Organization") == 11
    assert any(e.details()["listed_on"] and e.details()["measures"] for e in parsed.entries)
    donations = parse(SHARED_DATA / "opensanctions-ftm" / "donations.ijson", "ftm")
    assert len(donations.entries) == 56 + 22 + 17
