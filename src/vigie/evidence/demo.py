"""Demonstration evidence: generated images, PDFs and texts (never real), two cases."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from vigie.evidence import services
from vigie.evidence.synthetic import jpeg_with_exif, pdf_with_title

PLACES = ["Sinjar (synthetic)", "Maiduguri (synthetic)", "Sabha (synthetic)"]


def load(ctx: Any) -> None:
    user = ctx.users.get("investigator")
    org = ctx.organisations.get("ntf-ng")
    if user is None or org is None:
        return
    rng = ctx.rng
    base = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
    made = []
    for case in ("DEMO-2024-001", "DEMO-2024-002"):
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
                user,
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
                ),
            )
            made.append(got.item)
    first = made[0]
    services.ingest(
        user,
        org,
        io.BytesIO(b"Synthetic transcript of the photo caption.\n"),
        name="transcript.txt",
        collection=services.Collection(case_ref=first.case_ref),
        derived_from=first,
        derivation="transcript",
    )
    services.seal_item(user, made[-1], "demonstration: witness protection")
    ctx.echo(f"  evidence: {len(made) + 1} synthetic items in 2 cases, one sealed")
