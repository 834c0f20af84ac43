"""Synthetic snapshot rows for tests, benchmarks and demonstrations. Never real people.

The shapes follow the situations the Secretary-General's report describes (S/2017/939 paras
6-16: the Lake Chad basin, Libya and the central Mediterranean, Iraq and Syria, South Sudan,
the Democratic Republic of the Congo, Myanmar/Bangladesh) with plausible routes, so that maps,
routes and trends look like something; the figures mean nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from vigie.analytics import schema
from vigie.analytics.disclosure import record_key

_SALT = b"vigie-synthetic"


@dataclass(frozen=True)
class Situation:
    code: str
    countries: tuple[str, ...]  # countries of exploitation
    origins: tuple[str, ...]  # countries of origin
    transits: tuple[str, ...]
    forms: tuple[float, ...]  # weights over schema.FORMS


SITUATIONS = [
    Situation(
        "lake_chad_basin",
        ("NG", "NE", "TD", "CM"),
        ("NG", "NE", "TD", "CM"),
        ("NE",),
        (4, 3, 4, 5, 2, 1, 1, 0.1, 2, 1),
    ),
    Situation(
        "libya",
        ("LY", "IT", "MT"),
        ("NG", "ER", "SD", "GM", "CI", "SO", "BD"),
        ("NE", "SD", "TD", "LY", "TN"),
        (5, 6, 1, 0.5, 2, 0.5, 1, 0.2, 2, 1),
    ),
    Situation(
        "iraq",
        ("IQ", "SY", "TR"),
        ("IQ", "SY"),
        ("TR", "IQ"),
        (6, 2, 4, 4, 2, 0.5, 1, 0.1, 5, 1),
    ),
    Situation(
        "south_sudan",
        ("SS", "UG", "SD"),
        ("SS",),
        ("UG",),
        (2, 4, 4, 5, 2, 1, 1, 0, 1, 1),
    ),
    Situation(
        "dr_congo",
        ("CD", "RW", "UG"),
        ("CD", "CF", "BI"),
        ("RW",),
        (3, 6, 2, 5, 2, 1, 1, 0, 1, 1),
    ),
    Situation(
        "myanmar_bangladesh",
        ("MM", "BD", "TH", "MY"),
        ("MM", "BD"),
        ("TH", "BD"),
        (3, 6, 3, 1, 3, 1, 1, 0.1, 0.5, 1),
    ),
]
ORGANISATIONS = ["iom", "unhcr", "unicef", "ntf-ng", "ngo-ls", "unodc"]
AREAS = {
    "NG": ["NG-BO", "NG-YO", "NG-AD"],
    "LY": ["LY-TB", "LY-SB", "LY-MI"],
    "IQ": ["IQ-NI", "IQ-DA", "IQ-AN"],
    "SY": ["SY-RA", "SY-HL"],
}


def _rng_rows(
    n: int, seed: int, start_year: int, end_year: int, prefix: str
) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    years = list(range(start_year, end_year + 1))
    year_w = [1 + i for i in range(len(years))]
    for i in range(n):
        sit = rng.choices(SITUATIONS, weights=(5, 4, 4, 2, 3, 2))[0]
        country = rng.choice(sit.countries)
        sex = rng.choices([*schema.SEXES, schema.UNKNOWN], weights=(60, 35, 1, 4))[0]
        age = rng.choices(
            [*schema.AGE_GROUPS, schema.UNKNOWN], weights=(6, 20, 12, 9, 8, 8, 15, 8, 4, 10)
        )[0]
        minor = "child" if age in ("0-8", "9-17") else ("unknown" if age == "unknown" else "adult")
        n_forms = rng.choices((0, 1, 2, 3), weights=(4, 80, 13, 3))[0]
        forms = sorted(set(rng.choices(schema.FORMS, weights=sit.forms, k=n_forms)))
        n_means = rng.choices((0, 1, 2, 3), weights=(10, 50, 30, 10))[0]
        means = sorted(set(rng.choices(schema.MEANS, k=n_means)))
        origin = rng.choice(sit.origins)
        transit = [t for t in rng.sample(sit.transits, rng.randint(0, min(2, len(sit.transits))))]
        transit = [t for t in transit if t not in (origin, country)]
        incident = rng.random() < 0.02
        key = f"{prefix}{i}"
        yield {
            "row_key": key,
            "case_key": f"{prefix}c{i // 2}",
            "kind": "incident" if incident else "victim",
            "weight": rng.randint(2, 40) if incident else 1,
            "rkey": record_key(key, _SALT),
            "year": rng.choices(years, weights=year_w)[0],
            "month": rng.randint(1, 12),
            "situation": sit.code,
            "organisation": rng.choice(ORGANISATIONS),
            "source": rng.choice(schema.SOURCES),
            "country": country,
            "area": rng.choice(AREAS.get(country, [schema.UNKNOWN])),
            "origin": origin,
            "citizenship": origin if rng.random() < 0.9 else schema.UNKNOWN,
            "sex": sex,
            "age_group": age,
            "minor": minor,
            "displacement": rng.choice([*schema.DISPLACEMENT, schema.UNKNOWN]),
            "care_status": rng.choice(schema.CARE) if minor == "child" else "not_applicable",
            "forms": forms,
            "means": means,
            "transit": transit,
            "destination": country,
        }


def victim_rows(
    n: int, seed: int = 2331, start_year: int = 2014, end_year: int = 2021, prefix: str = "s"
) -> list[dict[str, Any]]:
    """``n`` synthetic rows of ``victims.parquet`` (as dicts), reproducible from ``seed``."""
    return list(_rng_rows(n, seed, start_year, end_year, prefix))


def victims_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema.VICTIMS)


def perpetrator_rows(n: int, seed: int = 2331, prefix: str = "p") -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        sit = rng.choices(SITUATIONS, weights=(5, 4, 4, 2, 3, 2))[0]
        ptype = rng.choices(schema.PERPETRATOR_TYPES, weights=(30, 25, 15, 20, 8, 2))[0]
        key = f"{prefix}{i}"
        rows.append(
            {
                "row_key": key,
                "case_key": f"{prefix}c{i}",
                "weight": 1,
                "rkey": record_key(key, _SALT),
                "year": rng.randint(2014, 2021),
                "situation": sit.code,
                "organisation": rng.choice(ORGANISATIONS),
                "source": rng.choice(schema.SOURCES),
                "country": rng.choice(sit.countries),
                "perpetrator_type": ptype,
                "group": rng.choice(["boko_haram", "isil", "al_shabaab"])
                if ptype in ("armed_group", "terrorist_group")
                else schema.UNKNOWN,
                "role": rng.choice(schema.ROLES),
                "sex": rng.choices(["male", "female", schema.UNKNOWN], weights=(70, 20, 10))[0],
                "nationality": rng.choice(sit.origins),
                "forms": sorted(set(rng.choices(schema.FORMS, weights=sit.forms, k=1))),
            }
        )
    return rows


def perpetrators_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema.PERPETRATORS)
