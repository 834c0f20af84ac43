"""The Vigie data standard as tables: a case groups the people (victims), the events reported as
counts (incidents), the exploitation suffered, the perpetrators, the route and the referrals.

Every table carries the ``organisation`` that owns the record (copied from its case) so that
access checks (vigie.core.access) and the API permission class work on any row. Code fields
hold codes of the YAML lists in ``data/codelists`` (see docs/data-standard.md). Identifying
fields are encrypted (vigie.core.fields) and listed in ``IDENTIFYING_FIELDS``.
"""

from vigie.cases.models.case import Case, CaseTerm, OwnedByCase, PublishedCases, PublishedRows
from vigie.cases.models.mapping import MappingProfile
from vigie.cases.models.parts import (
    AGE,
    IDENTIFYING_FIELDS,
    LATITUDE,
    LONGITUDE,
    Exploitation,
    Incident,
    Perpetrator,
    Referral,
    RouteLeg,
    Victim,
)
from vigie.cases.models.staging import ImportStage, StagedUpdates

__all__ = [
    "AGE",
    "IDENTIFYING_FIELDS",
    "LATITUDE",
    "LONGITUDE",
    "Case",
    "CaseTerm",
    "Exploitation",
    "ImportStage",
    "Incident",
    "MappingProfile",
    "OwnedByCase",
    "Perpetrator",
    "PublishedCases",
    "PublishedRows",
    "Referral",
    "RouteLeg",
    "StagedUpdates",
    "Victim",
]
