"""Demonstration data: the same synthetic people recorded by IOM, UNHCR and the Nigerian
task force under different spellings and scripts, linked by a first run, plus a regional
analyst who works for the three (to review the links) and a linkage-unit account.

Synthetic only: records come from vigie.devtools.linkage_eval (random combinations of common
names), never from real people.
"""

from __future__ import annotations

from typing import Any

from vigie.core.actor import Actor
from vigie.devtools import linkage_eval

DEMO_ORGS = {"ORG-A": "iom", "ORG-B": "unhcr", "ORG-C": "ntf-ng"}
SEX = {"F": "female", "M": "male"}


def case_record(r: linkage_eval.Record) -> dict[str, Any]:
    """A nested case record (as the cases API takes it) for one synthetic record."""
    victim: dict[str, Any] = {
        "key": "v1",
        "given_name": r.given_name,
        "family_name": r.family_name,
        "sex": SEX[r.sex],
    }
    if r.other_names:
        victim["other_names"] = r.other_names
    if len(r.date_of_birth) == 10:
        victim["date_of_birth"] = r.date_of_birth
    if r.age is not None:
        victim["age_at_identification"] = r.age
    if r.phone:
        victim["phone"] = r.phone
    if r.document:
        victim["document_number"] = r.document
    if r.place:
        victim["address"] = r.place
    return {
        "reference": r.record_key,
        "source_type": "case_management",
        "source_record_id": f"src-{r.record_key.lower()}",
        "summary": "Synthetic record for the linkage demonstration (not a real person)",
        "country": "LY",
        "identification_date": f"{r.recorded_year}-06-01",
        "victims": [victim],
    }


def create_cases(actors: dict[str, Actor], records: list[linkage_eval.Record]) -> int:
    """Save each synthetic record as a case of its organisation (through the case service,
    which announces the change); ``actors`` by evaluation organisation code."""
    from vigie.cases import services
    from vigie.core.models import Organisation

    orgs = {code: Organisation.objects.get(pk=a.organisation_id or 0) for code, a in actors.items()}
    for r in records:
        services.save_record(actors[r.org], orgs[r.org], case_record(r))
    return len(records)


def load(ctx: Any) -> None:
    from vigie.cases.models import Case
    from vigie.core.models import Membership, User
    from vigie.linkage import services

    orgs = {code: ctx.organisations.get(name) for code, name in DEMO_ORGS.items()}
    if any(o is None for o in orgs.values()):
        return
    if Case.objects.filter(reference__startswith="ORG-A-").exists():
        return  # loading the demo again adds nothing
    for username, org_codes, role, first in (
        ("linker", ["iom", "unhcr", "ntf-ng"], "analyst", "Lina"),
        ("linkage.unit", ["unodc"], "linkage_unit", "Luc"),
    ):
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": "Demo"}
        )
        if created:
            user.set_password(ctx.password)
            user.save()
        for code in org_codes:
            org = ctx.organisations.get(code)
            if org is not None:
                Membership.objects.get_or_create(user=user, organisation=org, role=role)
        ctx.users[username] = user
    records = [r for r in linkage_eval.generate(people=40, seed=ctx.seed)]
    actors = {code: Actor.system("demo data", org.pk) for code, org in orgs.items() if org}
    create_cases(actors, records)
    result = services.run(Actor.system("demo linkage", orgs["ORG-A"].pk), kind="victim")
    ctx.echo(
        f"  linkage: {len(records)} synthetic records in 3 organisations, {result.persons} persons"
    )
