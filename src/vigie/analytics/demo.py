"""Demonstration: build the snapshot from the demo case records; load GLOTIP when available."""

from __future__ import annotations

from typing import Any


def load(ctx: Any) -> None:
    from vigie.analytics import glotip, snapshot
    from vigie.devtools.shared_data import SHARED_DATA

    result = snapshot.rebuild()
    ctx.echo(f"  analytics: snapshot of {result['victims']} rows")
    source = SHARED_DATA / "unodc-glotip" / "data_glotip_2023-05-30.xlsx"
    if source.exists():
        ctx.echo(f"  analytics: GLOTIP figures for {glotip.load(source)} countries")
