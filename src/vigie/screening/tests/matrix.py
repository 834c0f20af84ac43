"""Screening's rows of the authorization matrix (see vigie.testing)."""

from __future__ import annotations

from typing import Any

from vigie.core.models import Organisation
from vigie.testing import Endpoint, World


def make_hit(world: World, org: Organisation) -> Any:
    from vigie.screening.models import Hit, ListEntry, ListVersion, Subject, Watchlist

    key = f"screening-hit-{org.code}"
    if key not in world.objects:
        wl, _ = Watchlist.objects.get_or_create(
            code="matrix", defaults={"title": "M", "source": "csv"}
        )
        version = ListVersion.objects.filter(watchlist=wl).first() or ListVersion.objects.create(
            watchlist=wl, number=1, file_name="m.csv", file_sha256="0" * 64
        )
        entry, _ = ListEntry.objects.get_or_create(
            watchlist=wl,
            reference="M-1",
            defaults={
                "schema": "Person",
                "caption": "Synthetic Listed",
                "fingerprint": "f",
                "first_version": version,
                "changed_in": version,
            },
        )
        subject = Subject.objects.create(
            organisation=org, name="Synthetic Subject", fingerprint="s"
        )
        world.objects[key] = Hit.objects.create(
            organisation=org,
            subject=subject,
            entry=entry,
            score=0.9,
            subject_fingerprint="s",
            entry_fingerprint="f",
        )
    return world.objects[key]


def _hit(world: World, org: Organisation) -> dict[str, Any]:
    return {"pk": make_hit(world, org).pk}


JOB = {"pk": "00000000-0000-4000-8000-000000000001"}
DECISION = {"status": "false_positive", "reason": "different date of birth"}

ENDPOINTS = [
    Endpoint("screening:search", perm="screening.run"),
    Endpoint("screening:subjects", perm="screening.run"),
    Endpoint("screening:subjects", "POST", perm="screening.run", data={}),
    Endpoint("screening:review", perm="screening.review"),
    Endpoint("screening:decide", "POST", perm="screening.review", target=_hit, data=DECISION),
    Endpoint("screening:batch", perm="screening.run"),
    Endpoint("screening:batch", "POST", perm="screening.run", data={}),
    Endpoint("screening:job", perm="screening.run", kwargs=JOB),
    Endpoint("screening:job-download", perm="screening.run", kwargs=JOB),
    Endpoint("screening:batch-hits", perm="screening.run", kwargs=JOB),
    Endpoint("screening:lists", perm="screening.run"),
    Endpoint("screening:load", "POST", perm="lists.manage", data={}),
    Endpoint("screening:version", perm="screening.run", kwargs={"pk": 987654}),
    Endpoint("screening-api:search", "POST", perm="screening.run", data={"name": "Nobody Listed"}),
    Endpoint("screening-api:batch", "POST", perm="screening.run", data={"queries": []}),
    Endpoint("screening-api:match", "POST", perm="screening.run", data={"queries": {}}),
    Endpoint("screening-api:lists", perm="screening.run"),
    Endpoint("screening-api:lists", "POST", perm="lists.manage", data={}),
    Endpoint("screening-api:version", perm="screening.run", kwargs={"pk": 987654}),
    Endpoint("screening-api:subjects", perm="screening.run"),
    Endpoint("screening-api:subjects", "POST", perm="screening.run", data={}),
    Endpoint("screening-api:alerts", perm="screening.review"),
    Endpoint("screening-api:decide", "POST", perm="screening.review", target=_hit, data=DECISION),
    Endpoint("screening-api:decisions", perm="screening.review"),
]
