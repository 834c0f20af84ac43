"""Where Vigie keeps its data, and the secrets it generates there on first run.

Kept free of Django imports: settings and the command line read it before Django starts.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "vigie"


def data_dir() -> Path:
    """The data directory (``VIGIE_DATA_DIR``), created with owner-only permissions."""
    path = Path(os.environ.get("VIGIE_DATA_DIR") or DEFAULT_DATA_DIR).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _secrets_file(base: Path) -> Path:
    return base / "secrets.json"


def load_or_create_secrets(base: Path) -> dict[str, Any]:
    """Read the generated secrets, creating them on the first run.

    The field-encryption keyring lives here too, apart from SECRET_KEY, so that one leaked
    value does not unlock the other. Environment variables override the file.
    """
    path = _secrets_file(base)
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    else:
        data = {
            "secret_key": secrets.token_urlsafe(50),
            "field_keys": {"active": "k1", "keys": {"k1": secrets.token_hex(32)}},
            "blind_index_key": secrets.token_hex(32),
        }
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
        os.replace(tmp, path)
    return data


def save_secrets(base: Path, data: dict[str, Any]) -> None:
    """Write the secrets file atomically (used by key rotation)."""
    path = _secrets_file(base)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    os.replace(tmp, path)
