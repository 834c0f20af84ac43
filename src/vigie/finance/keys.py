"""Account keys: the keyed pseudonym that stands for an account number outside the database.

Transactions are kept in Parquet files with each account number replaced by
``HMAC-SHA256(k, normalised number)`` (first 32 hex digits), ``k`` derived from the
blind-index key. DuckDB computes the same HMAC in SQL while it imports (ten million rows
need no Python loop), and the database keeps the number itself encrypted beside its key
(``Account.number`` / ``Account.number_key``). ``tests/test_keys.py`` checks with
hypothesis that the SQL and Python forms agree.

Normalisation keeps ASCII letters and digits only, upper-cased (IBAN style: spaces, dashes
and dots do not make another account); a number with none of them has no key and its row
is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_DROP = re.compile(r"[^0-9A-Za-z]")


@cache
def _secret(blind_index_key: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"vigie.finance.account-key"
    ).derive(bytes.fromhex(blind_index_key))


def secret() -> bytes:
    return _secret(settings.VIGIE_BLIND_INDEX_KEY)


def normalise(number: str) -> str:
    return _DROP.sub("", number).upper()


def account_key(number: str) -> str | None:
    """The pseudonym of ``number``; ``None`` when it holds no letter or digit."""
    text = normalise(number)
    if not text:
        return None
    return hmac.new(secret(), text.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def sql_account_key(expression: str) -> str:
    """DuckDB SQL computing :func:`account_key` of the text ``expression`` (HMAC by hand:
    H((k ^ opad) || H((k ^ ipad) || m)), RFC 2104)."""
    block = secret().ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in block).hex()
    opad = bytes(b ^ 0x5C for b in block).hex()
    norm = f"upper(regexp_replace({expression}, '[^0-9A-Za-z]', '', 'g'))"
    return (
        f"CASE WHEN {norm} = '' OR {norm} IS NULL THEN NULL ELSE "
        f"substr(sha256(unhex('{opad}') || "
        f"unhex(sha256(unhex('{ipad}') || encode({norm})))), 1, 32)"
        " END"
    )
