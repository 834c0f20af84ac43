"""Synthetic evidence files for tests and the demo (generated, never real)."""

from __future__ import annotations

import io
from typing import Any

from vigie.core.actor import Actor
from vigie.devtools.evidence_files import jpeg_with_exif, pdf_with_title
from vigie.evidence import services

__all__ = ["add", "jpeg_with_exif", "pdf_with_title"]


def add(
    world: Any,
    data: bytes,
    name: str = "photo.jpg",
    case: str = "CASE-1",
    org: Any = None,
    user: Any = None,
    **kwargs: Any,
) -> services.Ingested:
    return services.ingest(
        Actor(user or world.users["investigator"], (org or world.own).pk),
        org or world.own,
        io.BytesIO(data),
        name=name,
        collection=services.Collection(case_ref=case, **{"external_case": True, **kwargs}),
    )
