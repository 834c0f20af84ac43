"""Demonstration evidence: generated images, PDFs and texts (never real), linked to the demo
case records of the organisation (the cases demo runs first); free references if none."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from vigie.core.actor import Actor
from vigie.devtools.evidence_files import jpeg_with_exif, pdf_with_title
from vigie.evidence import services

PLACES = ["Sinjar (synthetic)", "Maiduguri (synthetic)", "Sabha (synthetic)"]


def load(ctx: Any) -> None:
    user = ctx.users.get("investigator")
    org = ctx.organisations.get("ntf-ng")
    if user is None or org is None:
        return
    actor = Actor(user=user, organisation_id=org.pk)
    rng = ctx.rng
    base = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
    from vigie.cases.selectors import visible_cases

    cases = list(
        visible_cases(user)
        .filter(organisation=org)
        .order_by("id")
        .values_list("reference", flat=True)[:2]
    )
    external = not cases
    refs = [cases[i % len(cases)] for i in range(2)] if cases else ["DEMO-EXT-1", "DEMO-EXT-2"]
    made = []
    for case in refs:
        for i in range(3):
            when = base + dt.timedelta(days=rng.randrange(300), minutes=rng.randrange(600))
            if i == 0:
                data, name = jpeg_with_exif(f"Synthetic camera {rng.randrange(100)}"), "photo.jpg"
            elif i == 1:
                data = pdf_with_title(f"Synthetic statement {case}")
                name = "statement.pdf"
            else:
                data = f"Synthetic interview notes for {case}, no real person.\n".encode()
                name = "notes.txt"
            got = services.ingest(
                actor,
                org,
                io.BytesIO(data),
                name=name,
                collection=services.Collection(
                    case_ref=case,
                    description=f"Synthetic {name} for the demonstration",
                    collected_at=when,
                    collected_by="Demo team (synthetic)",
                    place=rng.choice(PLACES),
                    consent="synthetic: no real person",
                    external_case=external,
                ),
            )
            made.append(got.item)
    first = made[0]
    services.ingest(
        actor,
        org,
        io.BytesIO(b"Synthetic transcript of the photo caption.\n"),
        name="transcript.txt",
        collection=services.Collection(case_ref=first.case_ref, external_case=external),
        derived_from=first,
        derivation="transcript",
    )
    services.seal_item(actor, made[-1], "demonstration: witness protection")
    where = "external references" if external else "case(s) " + ", ".join(sorted(set(refs)))
    ctx.echo(f"  evidence: {len(made) + 1} synthetic items linked to {where}, one sealed")
