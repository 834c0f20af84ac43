"""RFC 3161 timestamps from a local timestamp authority started by the test."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.evidence import log, tsa
from vigie.evidence.bag import verify_bag
from vigie.evidence.cli import evidence
from vigie.evidence.models import SignedTreeHead
from vigie.evidence.tests.factories import add
from vigie.evidence.tests.tsa_server import running_tsa
from vigie.evidence.verify import verify_all
from vigie.testing import World


def test_sign_with_timestamp_then_tamper(world: World) -> None:
    add(world, b"first")
    with running_tsa() as (url, server):
        r = CliRunner().invoke(evidence, ["sign", "--tsa", url])
        assert r.exit_code == 0, r.output
        assert server.requests == 1
    head = SignedTreeHead.objects.first()
    assert head.tsa_url == url and head.tsa_token
    stamp = tsa.check_token(
        base64.b64decode(head.tsa_token),
        log.sth_message(head.tree_size, head.root_hash, head.timestamp_ms, head.log_id),
    )
    assert stamp.tsa_subject == "CN=Vigie test TSA" and stamp.serial == 1
    assert verify_all().ok
    raw = bytearray(base64.b64decode(head.tsa_token))
    raw[-10] ^= 0xFF  # inside the signature
    SignedTreeHead.objects.filter(pk=head.pk).update(tsa_token=base64.b64encode(raw).decode())
    problems = verify_all().problems
    assert [p.kind for p in problems] == ["timestamp"]


def test_configured_tsa_on_ingest_and_bag(world: World, monkeypatch: Any, tmp_path: Path) -> None:
    with running_tsa() as (url, _server):
        monkeypatch.setenv("VIGIE_EVIDENCE_TSA_URL", url)
        add(world, b"stamped", case="C-T")
        r = CliRunner().invoke(evidence, ["export", "--case", "C-T", "-o", str(tmp_path / "b")])
        assert r.exit_code == 0, r.output
    rep = verify_bag(tmp_path / "b")
    assert rep.problems == [] and "Vigie test TSA" in rep.timestamp


def test_refused_or_forged_answers(world: World, monkeypatch: Any) -> None:
    add(world, b"x")
    with running_tsa() as (url, server):
        server.forge = True
        with pytest.raises(tsa.TsaError, match="covers other bytes"):
            log.sign_tree_head(url)
        # Configured but lying: the head is still signed, without a timestamp.
        monkeypatch.setenv("VIGIE_EVIDENCE_TSA_URL", url)
        add(world, b"y")
        assert SignedTreeHead.objects.first().tsa_token == ""
    r = CliRunner().invoke(evidence, ["sign", "--tsa", "http://127.0.0.1:9/none"])
    assert r.exit_code == 1 and "unreachable" in r.output
    r = CliRunner().invoke(evidence, ["sign", "--tsa", "ftp://x"])
    assert r.exit_code == 1 and "expected an http" in r.output
