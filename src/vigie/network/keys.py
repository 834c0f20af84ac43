"""The one place where a node's identity (its ``key``) is computed.

- A person is one node per person: records that entity resolution (vigie.linkage) put in
  one person with other records share that person's node (``person:linked:<code>``);
  any other recorded person (a victim, a perpetrator, an account holder) is one node per
  record: ``person_key``. Each record still gives its own edges with its own provenance,
  so a user reaches the shared node only through records they may see (ADR 1003).
- A value shared between records (a phone number, an account, a document, a vehicle, an
  address, a group) is one node per normalised value: a keyed HMAC (the blind-index key) of
  the kind and the value, so equal values meet without the value being stored in clear.
- Records shown as nodes (a case, an incident, an evidence item) are keyed by their uuid.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from vigie.core import crypto

_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
_NOT_WORD = re.compile(r"[^\w]+")


def normalise(kind: str, value: str) -> str:
    """The form under which two recorded values are the same thing."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    if kind == "phone":
        digits = "".join(ch for ch in value if ch.isdigit())
        return digits[2:] if digits.startswith("00") else digits
    if kind in ("account", "vehicle", "document", "device"):
        return _NOT_ALNUM.sub("", value).upper()
    return " ".join(_NOT_WORD.sub(" ", value.casefold()).split())


def value_key(kind: str, value: str) -> str | None:
    """The key of the node for a shared value; None when nothing is left to compare."""
    norm = normalise(kind, value)
    if not norm or (kind == "phone" and len(norm) < 5):
        return None
    return f"{kind}:{crypto.blind_index(norm, f'network.{kind}')}"


def display(kind: str, value: str) -> str:
    """How a shared value is shown: its normalised form, the same whoever recorded it (the
    spelling of one organisation's record is not shown through another's)."""
    norm = normalise(kind, value)
    return f"+{norm}" if kind == "phone" else norm


LINKED = "person:linked:"


def person_key(record_type: str, record_uuid: str, linked: str | None = None) -> str:
    """The node of a recorded person: the linkage person's when the record was linked with
    another (``linked``: its code, from :func:`linked_persons`), else the record's own."""
    if linked:
        return f"{LINKED}{linked}"
    return f"person:{record_type}:{record_uuid}"


def linked_persons(kind: str, record_ids: Iterable[int]) -> dict[int, str]:
    """Record id -> code of the linkage person it shares with at least one other record
    (``kind``: "victim" or "perpetrator")."""
    from vigie.linkage.selectors import shared_persons

    return shared_persons(kind, record_ids)


def record_key(kind: str, record_uuid: str) -> str:
    return f"{kind}:{record_uuid}"


def place_key(country: str, area: str = "") -> str | None:
    country = (country or "").strip().upper()
    area_norm = normalise("place", area)
    if not country and not area_norm:
        return None
    return f"place:{country}:{crypto.blind_index(area_norm, 'network.place')[:16]}"


VALUE_KINDS = (
    "phone", "account", "vehicle", "document", "device", "address", "group", "organisation",
)  # fmt: skip
