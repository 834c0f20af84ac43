"""File-type detection from the bytes (not the name) and technical metadata extraction.

Extraction reads a copy of the received bytes, never changes them, never executes content,
and runs with limits: images over ``MAX_PIXELS`` are refused by Pillow's decompression-bomb
guard, files over ``MAX_EXTRACT_BYTES`` are only typed, PDFs are read non-strictly with at
most ``MAX_PDF_PAGES`` pages counted. Anything odd is recorded as a problem, not raised.
"""

from __future__ import annotations

import io
import mimetypes
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import puremagic

MAX_EXTRACT_BYTES = 256 * 1024 * 1024
MAX_PIXELS = 80_000_000
MAX_PDF_PAGES = 100_000
MAX_VALUE_CHARS = 2000


@dataclass
class FileType:
    mime_type: str = "application/octet-stream"
    name: str = "unknown binary data"
    extension: str = ""


@dataclass
class Extracted:
    extractor: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


GENERIC = ("application/zip", "application/x-tar", "application/gzip")


def magic_matches(data: bytes) -> list[Any]:
    """puremagic's matches for ``data``, highest confidence first, through its public API
    only (``magic_string``: the same on puremagic 1.x, pinned for Python 3.11, and 2.x, for
    3.12 and later). Raises ``puremagic.PureError`` (or ``ValueError``) when nothing
    matches."""
    return list(puremagic.magic_string(data))


def detect(head: bytes, name: str = "") -> FileType:
    """The type the bytes declare through their signature (puremagic), never the name.

    When several types share the same signature (a zip is also a docx, an apk, …), the name's
    extension may choose among them; otherwise the generic container type is reported.
    """
    if not head:
        return FileType("application/x-empty", "empty file", "")
    try:
        matches = [m for m in magic_matches(head) if m.mime_type]
    except (puremagic.PureError, ValueError):
        matches = []
    if not matches:
        try:
            head.decode("utf-8")
            return FileType("text/plain", "text (UTF-8)", ".txt")
        except UnicodeDecodeError:
            return FileType()
    best = max(matches, key=lambda m: m.confidence)
    ties = [
        m for m in matches if m.confidence == best.confidence and m.byte_match == best.byte_match
    ]
    ext = Path(name).suffix.lower()
    chosen = next((m for m in ties if ext and m.extension.lower() == ext), None)
    if chosen is None and len(ties) > 1:
        chosen = next((m for m in ties if m.mime_type in GENERIC), None)
    chosen = chosen or best
    return FileType(chosen.mime_type, chosen.name, chosen.extension)


def mismatch(original_name: str, ftype: FileType) -> str:
    """A warning when the name's extension announces another type than the bytes have."""
    ext = Path(original_name).suffix.lower()
    guessed, _enc = mimetypes.guess_type(original_name)
    if not ext or ftype.mime_type in ("application/octet-stream", "application/x-empty"):
        return ""
    if guessed is None or guessed == ftype.mime_type:
        return ""
    if guessed.startswith("text/") and ftype.mime_type == "text/plain":
        return ""
    return f"name ends in {ext} but the bytes are {ftype.name} ({ftype.mime_type})"


def _clean(value: Any) -> Any:
    if isinstance(value, bytes):
        return value[:64].hex()
    if isinstance(value, (int, float, bool)) or value is None:
        return value if not isinstance(value, float) or value == value else None
    if isinstance(value, (tuple, list)):
        return [_clean(v) for v in value[:50]]
    text = str(value)
    return text[:MAX_VALUE_CHARS].replace("\x00", "")


def _image(raw: bytes) -> Extracted:
    from PIL import ExifTags, Image

    out = Extracted("pillow")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(raw)) as img:
            out.data["format"] = img.format
            out.data["width"], out.data["height"] = img.size
            out.data["mode"] = img.mode
            exif = img.getexif()
            tags = {}
            for tag_id, value in exif.items():
                tags[ExifTags.TAGS.get(tag_id, str(tag_id))] = _clean(value)
            for ifd_id in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo):
                try:
                    sub = exif.get_ifd(ifd_id)
                except (KeyError, ValueError, TypeError):
                    continue
                names = ExifTags.GPSTAGS if ifd_id == ExifTags.IFD.GPSInfo else ExifTags.TAGS
                prefix = "GPS" if ifd_id == ExifTags.IFD.GPSInfo else ""
                for tag_id, value in sub.items():
                    tags[prefix + names.get(tag_id, str(tag_id))] = _clean(value)
            if tags:
                out.data["exif"] = tags
            xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp")
            if xmp:
                out.data["xmp"] = _clean(
                    xmp if isinstance(xmp, str) else xmp.decode("utf-8", "replace")
                )
    return out


def _pdf(raw: bytes) -> Extracted:
    from pypdf import PdfReader

    out = Extracted("pypdf")
    reader = PdfReader(io.BytesIO(raw), strict=False)
    if reader.is_encrypted:
        out.data["encrypted"] = True
        return out
    info: Any = reader.metadata or {}
    out.data["properties"] = {str(k).lstrip("/"): _clean(v) for k, v in info.items()}
    out.data["pages"] = min(len(reader.pages), MAX_PDF_PAGES)
    out.data["pdf_header"] = _clean(reader.pdf_header)
    return out


def extract(path: Path | None, raw: bytes | None, ftype: FileType) -> Extracted:
    """Extract what the type allows, from ``raw`` bytes or a regular file at ``path``."""
    kind = "image" if ftype.mime_type.startswith("image/") else ""
    kind = "pdf" if ftype.mime_type == "application/pdf" else kind
    if not kind:
        return Extracted("none", {"note": "no extractor for this type"})
    if raw is None:
        if path is None or not path.is_file():
            return Extracted("none", {"note": "source is not a regular file"})
        if path.stat().st_size > MAX_EXTRACT_BYTES:
            return Extracted("none", {"note": f"larger than {MAX_EXTRACT_BYTES} bytes"})
        raw = path.read_bytes()
    try:
        return _image(raw) if kind == "image" else _pdf(raw)
    except Exception as exc:  # hostile files may raise anything: record it
        return Extracted(kind, {}, [f"{type(exc).__name__}: {str(exc)[:300]}"])
