"""Signed tree heads: the exact signed bytes and their check (no Django: used by verify-bag)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def message(tree_size: int, root_hash: str, timestamp_ms: int, log_id: str) -> bytes:
    """The bytes an STH signature covers: a fixed label, then sorted-key JSON."""
    body: dict[str, Any] = {
        "log_id": log_id,
        "root_hash": root_hash,
        "timestamp": timestamp_ms,
        "tree_size": tree_size,
    }
    return b"vigie-custody-sth-v1\n" + json.dumps(body, sort_keys=True).encode()


def check_signature(data: dict[str, Any], public_key: Ed25519PublicKey) -> bool:
    msg = message(
        int(data["tree_size"]), str(data["root_hash"]), int(data["timestamp"]), str(data["log_id"])
    )
    try:
        public_key.verify(bytes.fromhex(str(data["signature"])), msg)
    except (InvalidSignature, ValueError):
        return False
    return True


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the public key is not an Ed25519 key")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()
