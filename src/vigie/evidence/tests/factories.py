"""Synthetic evidence files for tests and the demo (generated, never real)."""

from __future__ import annotations

import io
from typing import Any

from vigie.evidence import services


def jpeg_with_exif(text: str = "Vigie test camera", size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image

    img = Image.new("RGB", size, (120, 30, 60))
    exif = Image.Exif()
    exif[0x0110] = text  # Model
    exif[0x0132] = "2025:01:02 03:04:05"  # DateTime
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def pdf_with_title(title: str = "Synthetic statement") -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setTitle(title)
    c.setAuthor("Vigie test suite")
    c.drawString(72, 720, "Synthetic document generated for tests.")
    c.save()
    return buf.getvalue()


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
        user or world.users["investigator"],
        org or world.own,
        io.BytesIO(data),
        name=name,
        collection=services.Collection(case_ref=case, **kwargs),
    )
