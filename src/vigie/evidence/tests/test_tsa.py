"""RFC 3161 timestamps from a local timestamp authority (issued by a test CA) started by the
test; the authority's certificate must chain to the configured trust anchor."""

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
from vigie.evidence.tests.tsa_server import LocalTSA, make_ca, pem, running_tsa
from vigie.evidence.verify import verify_all
from vigie.testing import World


def _trust(monkeypatch: Any, tmp_path: Path, pem_bytes: bytes, name: str = "ca.pem") -> Path:
    path = tmp_path / name
    path.write_bytes(pem_bytes)
    monkeypatch.setenv("VIGIE_EVIDENCE_TSA_CA", str(path))
    return path


def _stamp_of(head: SignedTreeHead, **kw: Any) -> tsa.Timestamp:
    return tsa.check_token(
        base64.b64decode(head.tsa_token),
        log.sth_message(head.tree_size, head.root_hash, head.timestamp_ms, head.log_id),
        **kw,
    )


def test_sign_with_timestamp_then_tamper(world: World, monkeypatch: Any, tmp_path: Path) -> None:
    add(world, b"first")
    with running_tsa() as (url, server):
        _trust(monkeypatch, tmp_path, server.ca_pem)
        r = CliRunner().invoke(evidence, ["sign", "--tsa", url])
        assert r.exit_code == 0, r.output
        assert server.requests == 1
    head = SignedTreeHead.objects.first()
    assert head is not None and head.tsa_url == url and head.tsa_token
    stamp = _stamp_of(head)
    assert stamp.tsa_subject == "CN=Vigie test TSA" and stamp.serial == 1
    assert stamp.chain == "chains to CN=Vigie test CA"
    assert verify_all().ok
    raw = bytearray(base64.b64decode(head.tsa_token))
    raw[-10] ^= 0xFF  # inside the signature
    SignedTreeHead.objects.filter(pk=head.pk).update(tsa_token=base64.b64encode(raw).decode())
    problems = verify_all().problems
    assert [p.kind for p in problems] == ["timestamp"]


def test_configured_tsa_on_ingest_and_bag(world: World, monkeypatch: Any, tmp_path: Path) -> None:
    with running_tsa() as (url, server):
        monkeypatch.setenv("VIGIE_EVIDENCE_TSA_URL", url)
        ca = _trust(monkeypatch, tmp_path, server.ca_pem)
        add(world, b"stamped", case="C-T")
        r = CliRunner().invoke(
            evidence, ["export", "--as-system", "--case", "C-T", "-o", str(tmp_path / "b")]
        )
        assert r.exit_code == 0, r.output
    rep = verify_bag(tmp_path / "b")
    assert rep.problems == [] and "Vigie test TSA" in rep.timestamp
    assert "chains to CN=Vigie test CA" in rep.timestamp
    # Elsewhere, without the CA: checked but the chain is said to be unchecked ...
    monkeypatch.delenv("VIGIE_EVIDENCE_TSA_CA")
    rep = verify_bag(tmp_path / "b")
    assert rep.problems == [] and "chain not checked" in rep.timestamp
    # ... with the CA given on the command line: checked; with another CA: refused.
    r = CliRunner().invoke(evidence, ["verify-bag", str(tmp_path / "b"), "--tsa-ca", str(ca)])
    assert r.exit_code == 0 and "chains to CN=Vigie test CA" in r.output, r.output
    other = tmp_path / "other.pem"
    other.write_bytes(pem(make_ca("Some other CA")[1]))
    r = CliRunner().invoke(evidence, ["verify-bag", str(tmp_path / "b"), "--tsa-ca", str(other)])
    assert r.exit_code == 1 and "does not chain to a trusted CA" in r.output, r.output


def test_refused_or_forged_answers(world: World, monkeypatch: Any, tmp_path: Path) -> None:
    add(world, b"x")
    with running_tsa() as (url, server):
        _trust(monkeypatch, tmp_path, server.ca_pem)
        server.forge = True
        with pytest.raises(tsa.TsaError, match="covers other bytes"):
            log.sign_tree_head(url)
        # Configured but lying: the head is still signed, without a timestamp.
        monkeypatch.setenv("VIGIE_EVIDENCE_TSA_URL", url)
        add(world, b"y")
        head = SignedTreeHead.objects.first()
        assert head is not None and head.tsa_token == ""
    r = CliRunner().invoke(evidence, ["sign", "--tsa", "http://127.0.0.1:9/none"])
    assert r.exit_code == 1 and "unreachable" in r.output
    r = CliRunner().invoke(evidence, ["sign", "--tsa", "ftp://x"])
    assert r.exit_code == 1 and "expected an http" in r.output


def test_untrusted_authority_is_refused(world: World, monkeypatch: Any, tmp_path: Path) -> None:
    """An authority issued by a CA that is not the configured anchor: no timestamp, and the
    error says the certificate does not chain (and names the issuer)."""
    add(world, b"z")
    stranger = make_ca("Untrusted CA")
    with running_tsa(LocalTSA(issuer=stranger)) as (url, _server):
        _trust(monkeypatch, tmp_path, pem(make_ca("Vigie test CA")[1]))  # same name, other key
        r = CliRunner().invoke(evidence, ["sign", "--tsa", url])
    assert r.exit_code == 1
    assert "does not chain to a trusted CA" in r.output and "CN=Untrusted CA" in r.output
    assert not SignedTreeHead.objects.exclude(tsa_token="").exists()


def test_no_trust_anchor_configured(world: World, monkeypatch: Any, tmp_path: Path) -> None:
    """No VIGIE_EVIDENCE_TSA_CA: no request is sent, the error says what to set; a token
    already kept is reported by verify as not checkable."""
    add(world, b"w")
    monkeypatch.delenv("VIGIE_EVIDENCE_TSA_CA", raising=False)
    with running_tsa() as (url, server):
        r = CliRunner().invoke(evidence, ["sign", "--tsa", url])
        assert r.exit_code == 1 and "VIGIE_EVIDENCE_TSA_CA" in r.output, r.output
        assert server.requests == 0
        ca = _trust(monkeypatch, tmp_path, server.ca_pem)
        assert CliRunner().invoke(evidence, ["sign", "--tsa", url]).exit_code == 0
    assert verify_all().ok
    monkeypatch.delenv("VIGIE_EVIDENCE_TSA_CA")
    problems = verify_all().problems
    assert [p.kind for p in problems] == ["timestamp"]
    assert "no trust anchor is configured" in problems[0].message
    ca.write_bytes(b"not a certificate")
    monkeypatch.setenv("VIGIE_EVIDENCE_TSA_CA", str(ca))
    problems = verify_all().problems
    assert "not a PEM file of certificates" in problems[0].message


@pytest.mark.parametrize(
    ("kind", "words"),
    [("no-timestamping", "not a timestamping certificate"), ("expired", "not at the timestamp")],
)
def test_bad_authority_certificates(
    world: World, monkeypatch: Any, tmp_path: Path, kind: str, words: str
) -> None:
    add(world, b"v")
    server_tsa = LocalTSA(timestamping=kind != "no-timestamping", expired=kind == "expired")
    with running_tsa(server_tsa) as (url, server):
        _trust(monkeypatch, tmp_path, server.ca_pem)
        with pytest.raises(tsa.TsaError, match=words):
            log.sign_tree_head(url)


def test_intermediate_must_be_a_ca(world: World, monkeypatch: Any, tmp_path: Path) -> None:
    """A chain root -> intermediate -> TSA: accepted when the intermediate is a CA; a leaf
    certificate used as an issuer is refused."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    root_key, root = make_ca("Root CA")
    now = dt.datetime.now(dt.UTC)

    def intermediate(ca: bool) -> tuple[Any, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Issuing CA")]))
            .issuer_name(root.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=10))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(root_key, hashes.SHA256())
        )
        return key, cert

    _trust(monkeypatch, tmp_path, pem(root))
    add(world, b"u")
    for ca, ok in ((True, True), (False, False)):
        issuing = intermediate(ca)
        with running_tsa(LocalTSA(issuer=issuing)) as (url, _server):
            if ok:
                head = log.sign_tree_head(url)
                assert head is not None and _stamp_of(head).chain == "chains to CN=Root CA"
            else:
                with pytest.raises(tsa.TsaError, match="is not a CA"):
                    log.sign_tree_head(url)


# RFC 3161 section 2.3 and 2.4.2 checks, one test each: each fails if its check is missing.


def test_eku_must_be_critical(world: World, monkeypatch: Any, tmp_path: Path) -> None:
    """Section 2.3: the TSA certificate's extended key usage id-kp-timeStamping MUST be
    critical; a certificate with it non-critical is refused."""
    add(world, b"eku")
    with running_tsa(LocalTSA(eku_critical=False)) as (url, server):
        _trust(monkeypatch, tmp_path, server.ca_pem)
        with pytest.raises(tsa.TsaError, match="not a timestamping certificate"):
            log.sign_tree_head(url)


def test_nonce_and_imprint_of_a_kept_token(world: World, monkeypatch: Any, tmp_path: Path) -> None:
    """Section 2.4.2: the nonce must be the request's and the imprint the message's."""
    add(world, b"nonce")
    with running_tsa() as (url, server):
        _trust(monkeypatch, tmp_path, server.ca_pem)
        head = log.sign_tree_head(url)
    assert head is not None
    token = base64.b64decode(head.tsa_token)
    message = log.sth_message(head.tree_size, head.root_hash, head.timestamp_ms, head.log_id)
    nonce = _nonce_of(token)
    assert tsa.check_token(token, message, nonce).tsa_subject == "CN=Vigie test TSA"
    with pytest.raises(tsa.TsaError, match="nonce differs"):
        tsa.check_token(token, message, nonce + 1)
    with pytest.raises(tsa.TsaError, match="covers other bytes"):
        tsa.check_token(token, message + b"x", nonce)


def _nonce_of(token: bytes) -> int:
    from asn1crypto import cms, tsp

    signed = cms.ContentInfo.load(token)["content"]
    return int(tsp.TSTInfo.load(signed["encap_content_info"]["content"].contents)["nonce"].native)


def test_policy_is_the_configured_one(world: World, monkeypatch: Any, tmp_path: Path) -> None:
    """VIGIE_EVIDENCE_TSA_POLICY: a token issued under another policy is refused."""
    add(world, b"policy")
    with running_tsa() as (url, server):
        _trust(monkeypatch, tmp_path, server.ca_pem)
        monkeypatch.setenv("VIGIE_EVIDENCE_TSA_POLICY", "1.3.6.1.4.1.99999.2")
        with pytest.raises(tsa.TsaError, match=r"policy 1\.3\.6\.1\.4\.1\.99999\.1"):
            log.sign_tree_head(url)
        monkeypatch.setenv("VIGIE_EVIDENCE_TSA_POLICY", "1.3.6.1.4.1.99999.1")  # the TSA's
        assert log.sign_tree_head(url) is not None
