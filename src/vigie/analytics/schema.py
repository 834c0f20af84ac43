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
        ("sex", pa.string()),  # code list "sex"
        ("age_group", pa.string()),  # code list "age_bands" (0-8, 9-17, 18-20, ..., 48+)
        ("minor", pa.string()),  # code list "age_groups": child | adult | unknown
        ("displacement", pa.string()),  # code list "displacement_status"
        ("care_status", pa.string()),  # code list "care_status" (unaccompanied, separated, ...)
        ("forms", pa.list_(pa.string())),  # forms of exploitation (at most 4)
        ("means", pa.list_(pa.string())),  # means of control (at most 4)
        ("transit", pa.list_(pa.string())),  # transit countries in route order
        ("destination", pa.string()),  # last country of the route, alpha-2
        ("forms_mask", pa.int64()),  # forms as bits (manifest "bits"), computed by the store
        ("means_mask", pa.int64()),
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
        ("perpetrator_type", pa.string()),  # code list "perpetrator_types"
        ("group", pa.string()),  # code list "armed_groups", or "unknown"
        ("role", pa.string()),  # code list "perpetrator_roles"
        ("sex", pa.string()),
        ("nationality", pa.string()),
        ("forms", pa.list_(pa.string())),  # the forms of exploitation of the case
        ("forms_mask", pa.int64()),
    ]
)


@dataclass(frozen=True)
class Dimension:
    name: str
    column: str
    multi: bool = False  # list column: a record may count in several cells
    tables: tuple[str, ...] = ("victims",)

    @property
    def mask(self) -> str:
        return f"{self.column}_mask"


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
        Dimension("care_status", "care_status"),
        Dimension("kind", "kind"),
        Dimension("form", "forms", multi=True, tables=("victims", "perpetrators")),
        Dimension("means", "means", multi=True),
        Dimension("perpetrator_type", "perpetrator_type", tables=("perpetrators",)),
        Dimension("group", "group", tables=("perpetrators",)),
        Dimension("role", "role", tables=("perpetrators",)),
        Dimension("nationality", "nationality", tables=("perpetrators",)),
    ]
}

# list columns stored also as bit masks (bit i = the i-th code of manifest["bits"][column])
MASKED = {"victims": ("forms", "means"), "perpetrators": ("forms",)}
MAX_BITS = 62

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

# Codes of vigie.cases' code lists (data/codelists/*.yaml), used by the generator.
AGE_GROUPS = ["0-8", "9-17", "18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+"]
SEXES = ["female", "male", "non_conforming"]
FORMS = [
    "sexual_exploitation",
    "forced_labour",
    "forced_marriage",
    "armed_recruitment",
    "servitude",
    "forced_begging",
    "forced_criminality",
    "organ_removal",
    "sexual_slavery",
    "other",
]
MEANS = [
    "abduction",
    "false_promises",
    "debt_bondage",
    "threats",
    "physical_violence",
    "sexual_abuse",
    "document_confiscation",
    "restricts_movement",
    "psychoactive_substances",
    "sale_in_market",
]
DISPLACEMENT = ["refugee", "asylum_seeker", "idp", "migrant", "returnee", "host_community"]
CARE = ["unaccompanied", "separated", "accompanied"]
SOURCES = ["case_management", "hotline", "flow_monitoring", "mrm", "investigation"]
PERPETRATOR_TYPES = [
    "individual",
    "armed_group",
    "terrorist_group",
    "criminal_network",
    "militia",
    "state_forces",
]
ROLES = ["recruiter", "transporter", "exploiter", "buyer", "seller", "facilitator"]
