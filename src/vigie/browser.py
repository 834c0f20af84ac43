"""Browser-test support: Playwright driving Debian's chromium against a live server.

Used by every app's ``tests/test_browser_*.py`` (marked ``browser``) through the fixtures in
vigie/conftest.py. Screenshots go to test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

ARTIFACTS = Path(os.environ.get("VIGIE_TEST_ARTIFACTS", "test-artifacts")) / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = os.environ.get("VIGIE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise RuntimeError(
            "browser tests need Debian's chromium: `apt-get install chromium` (see .ci/run)"
        )
    return found


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base_url}/")
