"""The analytic snapshot: its Parquet schema, dimensions and filters (docs/analytics.md).

``victims.parquet``: one row per *unit*: a victim recorded individually (``kind = "victim"``,
``weight = 1``) or one line of an incident's disaggregated counts (``kind = "incident"``,
``weight`` = the number of persons in it). Counting ``sum(weight)`` counts every person once:
individually recorded victims are never also in an incident's counts (docs/analytics.md).
``perpetrators.parquet``: one row per perpetrator, with the fields of its case.

Never an identifying field: no name, date of birth, document, address, free text or record id.
``row_key`` is a keyed hash of the source record, used only to replace rows on refresh;
``rkey`` is the record key of the cell-key perturbation (vigie.analytics.disclosure).
Unknown values are the code ``"unknown"``, never null, so that null means "margin" in tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

UNKNOWN = "unknown"

VICTIMS = pa.schema(
    [
        ("row_key", pa.string()),
        ("case_key", pa.string()),
        ("kind", pa.string()),  # victim | incident
        ("weight", pa.int32()),
        ("rkey", pa.int16()),
        ("year", pa.int16()),  # year of identification / registration
        ("month", pa.int8()),
        ("situation", pa.string()),  # conflict situation code
        ("organisation", pa.string()),  # recording organisation code
        ("source", pa.string()),  # data source type
        ("country", pa.string()),  # country of exploitation, ISO 3166-1 alpha-2
        ("area", pa.string()),  # sub-national area of exploitation (code) or "unknown"
        ("origin", pa.string()),  # country of origin (route), alpha-2
        ("citizenship", pa.string()),
        ("sex", pa.string()),  # female | male | other | unknown
        ("age_group", pa.string()),  # 0-8 | 9-17 | 18-20 | 21-29 | 30-38 | 39-47 | 48+ | unknown
        ("minor", pa.string()),  # yes | no | unknown
        ("displacement", pa.string()),  # refugee | idp | migrant | returnee | host | unknown
        ("unaccompanied", pa.string()),  # yes | no | unknown (children)
        ("forms", pa.list_(pa.string())),  # forms of exploitation (at most 4)
        ("means", pa.list_(pa.string())),  # means of control (at most 4)
        ("transit", pa.list_(pa.string())),  # transit countries in route order
        ("destination", pa.string()),  # last country of the route, alpha-2
    ]
)

PERPETRATORS = pa.schema(
    [
        ("row_key", pa.string()),
        ("case_key", pa.string()),
        ("weight", pa.int32()),
        ("rkey", pa.int16()),
        ("year", pa.int16()),
        ("situation", pa.string()),
        ("organisation", pa.string()),
        ("source", pa.string()),
        ("country", pa.string()),
        ("perpetrator_type", pa.string()),  # individual | armed_group | criminal_group | ...
        ("group", pa.string()),  # code of a listed armed / terrorist group, or "unknown"
        ("role", pa.string()),  # recruiter | transporter | exploiter | ...
        ("sex", pa.string()),
        ("nationality", pa.string()),
        ("forms", pa.list_(pa.string())),  # the forms of exploitation of the case
    ]
)


@dataclass(frozen=True)
class Dimension:
    name: str
    column: str
    multi: bool = False  # list column: a record may count in several cells
    tables: tuple[str, ...] = ("victims",)


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in [
        Dimension("year", "year", tables=("victims", "perpetrators")),
        Dimension("situation", "situation", tables=("victims", "perpetrators")),
        Dimension("organisation", "organisation", tables=("victims", "perpetrators")),
        Dimension("source", "source", tables=("victims", "perpetrators")),
        Dimension("country", "country", tables=("victims", "perpetrators")),
        Dimension("area", "area"),
        Dimension("origin", "origin"),
        Dimension("citizenship", "citizenship"),
        Dimension("destination", "destination"),
        Dimension("sex", "sex", tables=("victims", "perpetrators")),
        Dimension("age_group", "age_group"),
        Dimension("minor", "minor"),
        Dimension("displacement", "displacement"),
        Dimension("unaccompanied", "unaccompanied"),
        Dimension("kind", "kind"),
        Dimension("form", "forms", multi=True, tables=("victims", "perpetrators")),
        Dimension("means", "means", multi=True),
        Dimension("perpetrator_type", "perpetrator_type", tables=("perpetrators",)),
        Dimension("group", "group", tables=("perpetrators",)),
        Dimension("role", "role", tables=("perpetrators",)),
        Dimension("nationality", "nationality", tables=("perpetrators",)),
    ]
}

# filter name -> dimension; "period" is a year or a range of years "2016-2018"
FILTERS = (
    "period",
    "situation",
    "country",
    "origin",
    "organisation",
    "source",
    "sex",
    "age_group",
    "form",
)

AGE_GROUPS = ["0-8", "9-17", "18-20", "21-29", "30-38", "39-47", "48+"]
SEXES = ["female", "male", "other"]
FORMS = [
    "sexual_exploitation",
    "forced_labour",
    "forced_marriage",
    "armed_recruitment",
    "domestic_servitude",
    "begging",
    "criminal_activity",
    "organ_removal",
    "slavery",
    "other",
]
MEANS = [
    "abduction",
    "deception",
    "debt_bondage",
    "threats",
    "physical_abuse",
    "sexual_abuse",
    "withholding_documents",
    "restricting_movement",
    "psychoactive_substances",
    "sale_by_family",
]
DISPLACEMENT = ["refugee", "idp", "migrant", "returnee", "host"]
SOURCES = ["case_management", "hotline", "monitoring", "screening", "law_enforcement"]
PERPETRATOR_TYPES = [
    "individual",
    "armed_group",
    "terrorist_group",
    "criminal_group",
    "family",
    "state_actor",
]
ROLES = ["recruiter", "transporter", "exploiter", "controller", "buyer", "facilitator"]
