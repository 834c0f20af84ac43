"""What a re-import changes, known while staging (docs/adr/0047-updates-staged-as-copies.md,
amended): every case the bulk writer builds carries ``Case.content_digest``, a keyed digest
(HMAC with the blind-index key: the values hashed are identities) computed from the
validated record in clear, before anything is encrypted (ciphertexts have random nonces and
cannot be compared), in two parts:

- ``c``: the case fields the record gives (names and values);
- ``r``: every row of the case's lists (victims, incidents, exploitations, perpetrators,
  route, referrals). One part for all of them: every list links to the victims or the
  incidents, so a list swapped alone would point at rows the swap deletes.

The filter terms and the derived columns follow from the case's fields and rows; they are
not compared (a row without a reference builds a new one each time, and the terms carry it):
the swap moves the terms of every copy, only those that differ (``staging._swap_terms``).

A staged re-import compares the digest of each row's new version with its published case's:
an identical row is not staged at all, and a copy carries in ``Case.swap_parts`` the parts
that differ; a copy whose rows equal its case's is written without them and the swap leaves
the case's rows in place. Any save of a case through the ORM empties its digest
(``Case.save``), so an edited case always compares as changed.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

CASE_FIELDS = 1  # the case's own columns
ROWS = 2  # the rows of its lists
ALL = CASE_FIELDS | ROWS
# the copy's filter terms are the difference with its case's, read while staging: the terms
# its case lacks, and the terms to remove marked by ``REMOVED`` as their ``created_at``
# (a copy without this bit, staged before, carries all its terms)
TERMS_DIFF = 4
REMOVED = dt.datetime(1, 1, 1, tzinfo=dt.UTC)

_PARTS = (("c", CASE_FIELDS), ("r", ROWS))
VERSION = "d1"


def _canonical(value: Any) -> str:
    """A stable text of a record's values: dicts by sorted key, every leaf by ``repr`` (its
    type included, so ``1`` and ``"1"`` differ)."""
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: str(kv[0]))
        return "{" + ",".join(f"{k!r}:{_canonical(v)}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    return repr(value)


def of(mac: Any, case: dict[str, Any], children: dict[str, Any]) -> str:
    """The digest of a built case: ``mac`` a keyed ``hmac`` object to copy, ``case`` and
    ``children`` the validated record (``records.Parsed``)."""
    out = [VERSION]
    for (name, _bit), value in zip(_PARTS, (case, children), strict=True):
        h = mac.copy()
        h.update(f"{name}\x00{_canonical(value)}".encode())
        out.append(f"{name}{h.hexdigest()[:24]}")
    return ":".join(out)


def differing(stored: str, new: str) -> int:
    """The parts (bits) in which ``new`` differs from ``stored``; every part when ``stored``
    is empty (a case edited through the ORM, or written before digests) or of another
    version."""
    old, now = stored.split(":"), new.split(":")
    if len(old) != len(now) or old[0] != VERSION or now[0] != VERSION:
        return ALL
    bits = 0
    for (_name, bit), a, b in zip(_PARTS, old[1:], now[1:], strict=True):
        if not hmac.compare_digest(a, b):
            bits |= bit
    return bits
