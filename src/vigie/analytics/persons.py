"""Counting persons rather than records (issue 20): which snapshot rows are one person.

vigie.linkage groups victims' records of one person across organisations; here each
record's snapshot row key is mapped to its person, so the engine can keep one row per person
(its earliest record) before counting. Row keys are the snapshot's keyed hashes; nothing
identifying is read. Without the linkage app, or before a linkage run, every record is its
own person and the counts equal the record counts.
"""

from __future__ import annotations

from django.apps import apps

from vigie.analytics.snapshot import _key

UNITS = ("records", "persons")


def version() -> str:
    """Changes whenever the grouping of records into persons may have changed."""
    if not apps.is_installed("vigie.linkage"):
        return "none"
    from django.db.models import Count, Max

    from vigie.linkage.models import Decision, Run

    runs = Run.objects.aggregate(n=Max("pk"), t=Max("created_at"))
    decisions = Decision.objects.aggregate(n=Count("pk"), t=Max("created_at"))
    return f"{runs['n']}:{runs['t']}:{decisions['n']}:{decisions['t']}"


def row_persons() -> list[tuple[str, int]]:
    """(snapshot row key, person id) for every linked victim record."""
    if not apps.is_installed("vigie.linkage"):
        return []
    from vigie.cases.models import Victim
    from vigie.linkage.models import Membership

    person = dict(Membership.objects.filter(kind="victim").values_list("record_id", "person_id"))
    uuids = Victim.objects.filter(pk__in=list(person)).values_list("pk", "uuid")
    return [(_key(f"victim:{u}"), person[pk]) for pk, u in uuids.iterator()]
