"""Synthetic demonstration cases (vigie.devtools.case_records): ``ctx.records`` records spread over
the organisations that record cases, across the situations the seeds name. Never real people."""

from __future__ import annotations

from typing import Any

from vigie.cases import services
from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.core.models import OrganisationShare
from vigie.devtools import case_records

OWNERS = ["iom", "unhcr", "unicef", "ngo-ls", "ntf-ng"]
# the working language each demo organisation writes its summaries in
LANGUAGES = {"iom": "en", "unhcr": "fr", "unicef": "en", "ngo-ls": "ar", "ntf-ng": "en"}


def load(ctx: Any) -> None:
    orgs = [ctx.organisations[code] for code in OWNERS if code in ctx.organisations]
    if not orgs or Case.objects.filter(source_record_id__startswith="demo-").exists():
        return
    n = max(1, ctx.records)
    langs = [LANGUAGES.get(org.code, "en") for org in orgs]
    for i, record in enumerate(case_records.synthetic_records(ctx.rng, n, langs)):
        org = orgs[i % len(orgs)]
        services.save_record(Actor.system("demo data", org.pk), org, record)
    ctx.echo(f"  cases: {n} synthetic case records")
    pool = ctx.organisations.get("unodc")
    if pool is not None:
        # The pooled collection of S/2017/939 para 63: agencies share their case records,
        # without identities, with UNODC, whose analysts compile the typology and routes.
        for org in orgs:
            OrganisationShare.objects.get_or_create(
                owner=org, partner=pool, scope="case", defaults={"include_identities": False}
            )
        ctx.echo(f"  cases: {len(orgs)} organisations share records (no identities) with UNODC")
