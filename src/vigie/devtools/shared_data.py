"""Where the public data sets are (UN and OFAC lists, CTDC, GLOTIP... see each SOURCES.md).

``../shared/data`` beside the checkout (CI puts ``shared/`` there); ``VIGIE_SHARED_DATA``
overrides. The demo loads from it when present; tests that read it carry the
``shared_data`` marker.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(
    os.environ.get("VIGIE_SHARED_DATA")
    or Path(__file__).resolve().parents[3].parent / "shared" / "data"
)
