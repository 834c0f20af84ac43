"""Files uploaded for the web import wait in ``DATA_DIR/imports/`` between the steps (preview,
mapping, check, confirm). They hold case records, victims' names too, so they must not stay
there: files untouched for ``STALE_HOURS`` are removed, unless a queued or running import still
reads them."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings

from vigie.core.models import Job

STALE_HOURS = 48.0
logger = logging.getLogger("vigie.cases")


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _in_use() -> set[Path]:
    active = Job.objects.filter(
        kind="cases.import", status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).values_list("params", flat=True)
    used = set()
    for params in active:
        for key in ("path", "mapping"):
            if (params or {}).get(key):
                used.add(Path(params[key]).resolve())
    return used


def remove_stale(older_than_hours: float = STALE_HOURS) -> int:
    """Remove the import uploads (and their mapping files) not modified for
    ``older_than_hours``; the number of files removed."""
    limit = time.time() - older_than_hours * 3600
    used = _in_use()
    removed = 0
    for path in upload_dir().iterdir():
        if not path.is_file() or path.resolve() in used or path.stat().st_mtime > limit:
            continue
        path.unlink(missing_ok=True)
        removed += 1
        logger.info("removed the stale import upload %s", path.name)
    return removed
