"""Files uploaded for the web import wait in ``DATA_DIR/imports/`` between the steps (preview,
mapping, check, confirm). They hold case records, victims' names too: they are kept encrypted
(vigie.core.filecrypt, docs/adr/0022), read through a plaintext copy in memory that lives only
while a step reads it, and files untouched for ``STALE_HOURS`` are removed, unless a queued or
running import still reads them."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from vigie.core import filecrypt, jobs

STALE_HOURS = 48.0
logger = logging.getLogger("vigie.cases")


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_encrypted(chunks: Iterable[bytes], target: Path) -> int:
    """Write an uploaded file encrypted at rest, chunk by chunk; its plaintext size."""
    partial = target.with_name(target.name + ".part")
    with partial.open("wb") as fh:
        size = filecrypt.encrypt_stream(chunks, fh)
    partial.replace(target)
    return size


@contextmanager
def readable(path: Path) -> Iterator[Path]:
    """A plaintext path to read an upload from, for the length of the block (a file that is
    not encrypted, such as a path given to the command line, is read as it is)."""
    with filecrypt.readable(path) as plain:
        yield plain


def remove_stale(older_than_hours: float = STALE_HOURS) -> int:
    """Remove the import uploads (and their mapping files) not modified for
    ``older_than_hours``; the number of files removed."""
    return jobs.remove_stale_uploads(
        upload_dir(), "cases.import", older_than_hours, "import upload", logger
    )
