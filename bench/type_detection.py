"""File-type detection cost per file: puremagic (what the vault uses) on the 64 KiB head the
store keeps, on the first 8 KiB only, and the alternatives when importable (python-magic over
libmagic, filetype), on the same bytes. Prints one JSON line: microseconds per call (median of
rounds) for each sample kind, the mean, and whether each way gives the vault's answer.

    .venv/bin/python bench/type_detection.py [--rounds N] [--extra-path DIR]

``--extra-path`` adds a folder to sys.path (e.g. a throwaway ``pip install --target`` of
python-magic and filetype) so alternatives can be measured without adding a dependency.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")


def samples() -> dict[str, tuple[bytes, str]]:
    from PIL import Image

    from vigie.evidence.tests.factories import jpeg_with_exif, pdf_with_title

    png = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 10, 10)).save(png, "PNG")
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>" * 200)
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.bin", b"\0" * (8 << 20))
    mp4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + os.urandom(70_000)
    big_text = ("Témoignage recueilli le 3 mars, camp de déplacés.\n" * 2000).encode()
    return {
        "jpeg": (jpeg_with_exif("Camera X1"), "photo.jpg"),
        "png": (png.getvalue(), "scan.png"),
        "pdf": (pdf_with_title("statement"), "statement.pdf"),
        "docx": (docx.getvalue(), "report.docx"),
        "zip_bomb": (plain.getvalue(), "phone-export.zip"),
        "mp4": (mp4, "video.mp4"),
        "text_4k": (big_text[:4096], "note.txt"),
        "text_64k": (big_text[: 64 * 1024], "note.txt"),
        "random_4k": (os.urandom(4096), "blob.bin"),
        "polyglot": (pdf_with_title("cover") + b"\n" + jpeg_with_exif(), "scan.jpg"),
        "misleading": (jpeg_with_exif("Camera X1"), "statement.pdf"),
    }


def timed(fn: Callable[[], Any], rounds: int) -> float:
    fn()  # warm
    per = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(20):
            fn()
        per.append((time.perf_counter() - t) / 20)
    return statistics.median(per) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--extra-path", default="")
    args = parser.parse_args()
    if args.extra_path:
        sys.path.append(args.extra_path)
    import django

    django.setup()
    import puremagic

    from vigie.evidence import metadata
    from vigie.evidence.store import HEAD_BYTES

    def scan(b: bytes, n: str) -> str:  # puremagic's own loop over every signature
        try:
            return max(puremagic.magic_string(b), key=lambda m: m.confidence).mime_type
        except puremagic.PureError:
            return "unknown"

    def indexed(b: bytes, n: str) -> str:  # the vault's indexed look-up, same signatures
        try:
            return max(metadata.magic_matches(b), key=lambda m: m.confidence).mime_type
        except puremagic.PureError:
            return "unknown"

    ways: dict[str, Callable[[bytes, str], str]] = {
        "detect_64k": lambda b, n: metadata.detect(b[:HEAD_BYTES], n).mime_type,
        "detect_8k": lambda b, n: metadata.detect(b[:8192], n).mime_type,
        "puremagic_scan_64k": lambda b, n: scan(b[:HEAD_BYTES], n),
        "puremagic_indexed_64k": lambda b, n: indexed(b[:HEAD_BYTES], n),
    }
    missing = []
    try:
        import magic  # python-magic over libmagic

        m = magic.Magic(mime=True)
        ways["libmagic_64k"] = lambda b, n: m.from_buffer(b[:HEAD_BYTES])
        ways["libmagic_8k"] = lambda b, n: m.from_buffer(b[:8192])
    except ImportError:
        missing.append("python-magic")
    try:
        import filetype

        def ft(b: bytes, n: str) -> str:
            kind = filetype.guess(b[:8192])
            return kind.mime if kind else "unknown"

        ways["filetype_8k"] = ft
    except ImportError:
        missing.append("filetype")
    data = samples()
    reference = {k: ways["detect_64k"](b, n) for k, (b, n) in data.items()}
    out: dict[str, Any] = {"bench": "evidence type detection", "unit": "us per file"}
    for way, fn in ways.items():
        times = {
            k: round(timed(lambda b=b, n=n, fn=fn: fn(b, n), args.rounds), 1)
            for k, (b, n) in data.items()
        }
        answers = {k: fn(b, n) for k, (b, n) in data.items()}
        out[way] = {
            "mean_us": round(statistics.mean(times.values()), 1),
            "per_kind_us": times,
            "differs_from_vault_detect": {k: v for k, v in answers.items() if v != reference[k]},
        }
    out["vault_answers"] = reference
    out["not_installed"] = missing
    print(json.dumps(out, sort_keys=False))


if __name__ == "__main__":
    main()
