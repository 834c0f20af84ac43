"""Soak (issue 15): ``vigie serve`` on loopback with SQLite in a temporary data directory; an
import, evidence uploads and token-authenticated API reads run together for a bounded time.
No response may be a 5xx and nothing may be lost (every upload listed, every row imported).

``VIGIE_SOAK_DATABASE_URL`` runs the same against PostgreSQL (a database the test may fill)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests

from vigie.core.tests.hostile import write_ctdc_sample
from vigie.core.tests.serving import VIGIE, free_port, wait_listening

ROWS = 3000
MIN_SECONDS, MAX_SECONDS = 12.0, 45.0

SETUP = textwrap.dedent(
    """
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from vigie.testing import build_world
    from vigie.core.actor import Actor
    from vigie.core.tokens import issue
    world = build_world()
    token, secret = issue(Actor(user=world.users["case_manager"]), name="soak")
    print(secret)
    """
)
COUNT = textwrap.dedent(
    """
    import django
    django.setup()
    from vigie.cases.models import Case
    from vigie.evidence.models import Item
    print(Case.objects.count(), Item.objects.count())
    """
)


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIGIE_"))}
    env.pop("DATABASE_URL", None)
    # The synthetic case manager has no second factor: the soak is about load, not login.
    env.update(
        VIGIE_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="vigie.settings.dev",
        VIGIE_MFA_ENFORCED="0",
    )
    if os.environ.get("VIGIE_SOAK_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["VIGIE_SOAK_DATABASE_URL"]
    return env


def _python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.slow
@pytest.mark.soak
def test_import_uploads_and_api_reads_together(tmp_path: Path) -> None:
    env = _env(tmp_path / "data")
    secret = _python(SETUP, env)
    source = write_ctdc_sample(tmp_path / "cases.csv", ROWS)
    port = free_port()
    server = subprocess.Popen(
        [VIGIE, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    uploaded: list[str] = []
    stop = threading.Event()
    base = f"http://127.0.0.1:{port}/api"
    auth = {"Authorization": f"Bearer {secret}"}

    def record(response: requests.Response, what: str) -> None:
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            errors.append(f"{what}: {response.status_code} {response.text[:300]}")

    def reader(path: str) -> None:
        with requests.Session() as session:
            while not stop.is_set():
                record(session.get(f"{base}{path}", headers=auth, timeout=60), path)

    def uploader() -> None:
        with requests.Session() as session:
            n = 0
            while not stop.is_set():
                n += 1
                name = f"note-{n}.txt"
                response = session.post(
                    f"{base}/evidence/items/",
                    headers=auth,
                    data={"case_ref": "EXT-SOAK", "external_case": "true"},
                    files={"file": (name, f"soak evidence {n}\n".encode(), "text/plain")},
                    timeout=60,
                )
                record(response, "upload")
                if response.status_code == 201:
                    uploaded.append(response.json()["uuid"])
                elif response.status_code < 500:
                    errors.append(f"upload refused: {response.status_code} {response.text[:300]}")

    try:
        wait_listening(port, server)
        threads = [
            threading.Thread(target=reader, args=("/cases/?limit=20",)),
            threading.Thread(target=reader, args=("/evidence/items/",)),
            threading.Thread(target=uploader),
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        imported = subprocess.run(
            [VIGIE, "import", str(source), "--org", "own-org", "--user", "u-case_manager"],
            env=env,
            capture_output=True,
            text=True,
            timeout=MAX_SECONDS * 4,
        )
        time.sleep(max(0.0, MIN_SECONDS - (time.monotonic() - started)))
        stop.set()
        for thread in threads:
            thread.join(60)
        assert imported.returncode == 0, imported.stdout[-2000:] + imported.stderr[-2000:]
        assert not errors, errors[:5]
        assert statuses[200] >= 10 and uploaded, statuses
        listed_uuids: set[str] = set()
        url: str | None = f"{base}/evidence/items/"
        while url:  # every page (the list is paginated, 50 a page)
            listed = requests.get(url, headers=auth, timeout=60)
            assert listed.status_code == 200
            body: Any = listed.json()
            items = body["results"] if isinstance(body, dict) else body
            listed_uuids |= {item["uuid"] for item in items}
            url = body.get("next") if isinstance(body, dict) else None
        assert set(uploaded) <= listed_uuids
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    cases, items_stored = (int(x) for x in _python(COUNT, env).split())
    assert cases == ROWS and items_stored == len(uploaded)
