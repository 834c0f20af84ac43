from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from vigie.testing import World

SRC = Path(__file__).resolve().parents[2]
CDN = re.compile(r"https?://(?!www\.w3\.org)[\w.-]+\.(com|net|org|io)/", re.I)


def test_pages_send_csp_without_unsafe_inline_scripts(world: World, web: Any) -> None:
    response = web(world.users["analyst"]).get("/")
    csp = response["Content-Security-Policy"]
    script = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_scripts_or_external_assets() -> None:
    offenders = []
    for template in SRC.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", text):
            offenders.append(f"{template}: inline <script>")
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{template}: inline event handler")
        for match in CDN.finditer(text):
            offenders.append(f"{template}: external asset {match.group(0)}")
    assert not offenders, "\n".join(offenders)


def test_forms_carry_csrf_tokens(world: World, web: Any) -> None:
    page = web(world.users["org_admin"]).get("/admin/users/").content.decode()
    forms = page.count("<form")
    posts = len(re.findall(r'<form[^>]*method="post"', page))
    assert posts and page.count("csrfmiddlewaretoken") >= posts
    assert forms >= posts


def test_error_pages_are_friendly(world: World, web: Any) -> None:
    client = web(world.users["field_officer"])
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404
    assert b'role="alert"' in missing.content
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403
    assert b'role="alert"' in forbidden.content
