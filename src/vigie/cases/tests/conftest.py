from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from vigie.testing import capture_changes

STAGED_BATCH = 10  # rows per batch of an import under ``small_batches``


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports in batches of ``STAGED_BATCH`` rows: a small file is staged in several."""
    from vigie.cases.interchange import importer

    monkeypatch.setattr(importer, "BATCH", STAGED_BATCH)


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    """The case change events sent (``records_changed``), as they are sent."""
    with capture_changes("cases.case") as seen:
        yield seen


# A full record used across the tests: Yazidi girl taken by ISIL in Sinjar (synthetic).
RECORD: dict[str, Any] = {
    "reference": "T-1",
    "summary": "Abducted from Sinjar district, sold in a market, released in Mosul",
    "source_type": "case_management",
    "source_record_id": "cm-001",
    "verification_status": "verified",
    "conflict_situation": "iraq",
    "conflict_context": "in_conflict_zone",
    "country": "IQ",
    "event_date_start": "2014-08-03",
    "event_date_end": "2016-05-01",
    "identification_date": "2017-02-01",
    "victims": [
        {
            "key": "v1",
            "given_name": "Nadia",
            "family_name": "Testperson",
            "date_of_birth": "2001-01-05",
            "phone": "+964 700 000 0000",
            "sex": "female",
            "age_at_identification": 16,
            "age_at_exploitation": 13,
            "citizenship": "IQ",
            "displacement_status": "idp",
            "minority_group": "yazidi",
            "care_status": "separated",
            "consent_services": True,
            "consent_sharing": False,
            "consent_evidence": True,
        }
    ],
    "exploitations": [
        {
            "victim": "v1",
            "forms": ["sexual_slavery", "forced_marriage"],
            "means": ["abduction", "sale_in_market"],
            "country": "SY",
            "area": "Raqqa",
        }
    ],
    "perpetrators": [{"victim": "v1", "kind": "group", "group_code": "isil", "role": "buyer"}],
    "route": [
        {"sequence": 1, "country": "IQ", "area": "Sinjar", "role": "origin"},
        {"sequence": 2, "country": "SY", "area": "Raqqa", "role": "exploitation"},
        {"sequence": 3, "country": "IQ", "area": "Mosul", "role": "identification"},
    ],
    "referrals": [{"victim": "v1", "service": "psychosocial", "status": "accepted"}],
}


def without(value: Any, keys: set[str]) -> Any:
    """``value`` (nested dicts and lists) without the dict entries named in ``keys`` at any
    depth: to compare records written by two paths, ignoring ids and times."""
    if isinstance(value, dict):
        return {k: without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [without(v, keys) for v in value]
    return value


@pytest.fixture(autouse=True)
def english() -> Any:
    """Service messages in English (the default language of the site is French)."""
    from django.utils import translation

    with translation.override("en"):
        yield
