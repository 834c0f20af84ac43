"""RFC 3161 timestamps for signed tree heads, from a configured timestamp authority (TSA).

The request carries SHA-256 of the exact bytes the tree head signature covers and a random
nonce. The answer is accepted only if it is granted, its imprint and nonce match, its
message-digest attribute matches the TSTInfo, its CMS signature verifies with the signer's
certificate (the one the SignerInfo names), and that certificate chains to a configured trust
anchor: ``VIGIE_EVIDENCE_TSA_CA``, a PEM file of the authority's CA certificate(s). The chain
is built from the certificates the token carries; each link's signature is checked, every
issuer must be a CA (basicConstraints), the signer must be a timestamping certificate
(extended key usage id-kp-timeStamping, RFC 3161 section 2.3), and every certificate must be
valid at the time the token asserts. Revocation is not checked (no network is assumed).
Configure the authority with ``VIGIE_EVIDENCE_TSA_URL``; nothing is sent anywhere unless it is
set, and no timestamp is requested without a trust anchor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from vigie.core.errors import Unavailable

TIMEOUT = 20
MAX_REPLY = 1024 * 1024
MAX_CHAIN = 8  # certificates between the signer and its trust anchor, at most
CA_SETTING = "VIGIE_EVIDENCE_TSA_CA"


class TsaError(Unavailable):
    """The timestamp authority could not be reached or answered something unusable."""

    default_code = "tsa_unavailable"


@dataclass(frozen=True)
class Timestamp:
    gen_time: dt.datetime
    serial: int
    tsa_subject: str
    chain: str = ""  # "chains to <anchor>", or why the chain was not checked


def configured_url() -> str:
    return os.environ.get("VIGIE_EVIDENCE_TSA_URL", "")


def load_anchors(pem: bytes, where: str) -> list[x509.Certificate]:
    """The certificates of a PEM bundle; TsaError naming ``where`` if there are none."""
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise TsaError(f"{where}: not a PEM file of certificates ({exc})") from None
    if not certs:
        raise TsaError(f"{where}: holds no certificate")
    return certs


def configured_anchors() -> list[x509.Certificate] | None:
    """The trust anchors of ``VIGIE_EVIDENCE_TSA_CA`` (a PEM file), None when unset."""
    path = os.environ.get(CA_SETTING, "")
    if not path:
        return None
    try:
        pem = Path(path).read_bytes()
    except OSError as exc:
        raise TsaError(f"{CA_SETTING}={path}: cannot read it ({exc.strerror or exc})") from None
    return load_anchors(pem, f"{CA_SETTING}={path}")


def _name(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string() or "(no subject)"


def _valid_at(cert: x509.Certificate, when: dt.datetime, role: str) -> None:
    if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
        raise TsaError(
            f"{role} certificate {_name(cert)} is valid from "
            f"{cert.not_valid_before_utc.isoformat()} to {cert.not_valid_after_utc.isoformat()},"
            f" not at the timestamp's time {when.isoformat()}"
        )


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    if not bc.ca:
        return False
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(ku.key_cert_sign)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def check_chain(
    signer: x509.Certificate,
    carried: list[x509.Certificate],
    anchors: list[x509.Certificate],
    when: dt.datetime,
) -> list[x509.Certificate]:
    """The chain from ``signer`` up to one of ``anchors`` (intermediates taken from the
    ``carried`` certificates), every link checked; raises TsaError saying where it breaks."""
    try:
        eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        eku = None
    if eku is None or ExtendedKeyUsageOID.TIME_STAMPING not in eku:
        raise TsaError(
            f"timestamp authority certificate {_name(signer)} is not a timestamping "
            "certificate (no extended key usage id-kp-timeStamping)"
        )
    pinned = {a.fingerprint(hashes.SHA256()) for a in anchors}
    chain = [signer]
    cert = signer
    for _ in range(MAX_CHAIN + 1):
        _valid_at(cert, when, "timestamp authority" if cert is signer else "intermediate CA")
        if cert.fingerprint(hashes.SHA256()) in pinned:
            return chain
        anchor = next(
            (a for a in anchors if a.subject == cert.issuer and _issued_by(cert, a)), None
        )
        if anchor is not None:
            return [*chain, anchor]
        issuer = next(
            (
                c
                for c in carried
                if c.subject == cert.issuer and c not in chain and _issued_by(cert, c)
            ),
            None,
        )
        if issuer is None:
            raise TsaError(
                f"timestamp authority certificate {_name(signer)} does not chain to a trusted "
                f"CA: {_name(cert)} is issued by {cert.issuer.rfc4514_string()}, which is "
                f"neither a configured trust anchor ({CA_SETTING}) nor a certificate in the "
                "token that verifies it"
            )
        if not _is_ca(issuer):
            raise TsaError(
                f"certificate {_name(issuer)} issued {_name(cert)} but is not a CA "
                "(basicConstraints cA false or missing, or no keyCertSign)"
            )
        chain.append(issuer)
        cert = issuer
    raise TsaError(f"timestamp authority certificate chain longer than {MAX_CHAIN}")


def build_request(message: bytes, nonce: int) -> bytes:
    req = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": hashlib.sha256(message).digest(),
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return bytes(req.dump())


def request_timestamp(url: str, message: bytes) -> bytes:
    """Ask ``url`` for a timestamp on ``message``; return the checked token (DER).

    Refused without a trust anchor (``VIGIE_EVIDENCE_TSA_CA``): a timestamp whose authority
    nobody can check proves nothing."""
    if not url.startswith(("http://", "https://")):
        raise TsaError(f"TSA address {url!r}: expected an http:// or https:// URL")
    anchors = configured_anchors()
    if not anchors:
        raise TsaError(
            f"no trust anchor for timestamp authorities: set {CA_SETTING} to a PEM file "
            f"of the CA certificate(s) that issue {url}'s certificate"
        )
    nonce = secrets.randbits(63)
    req = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=build_request(message, nonce),
        headers={"Content-Type": "application/timestamp-query"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310
            body = resp.read(MAX_REPLY + 1)
    except (urllib.error.URLError, OSError) as exc:
        raise TsaError(f"timestamp authority {url} unreachable: {exc}") from None
    if len(body) > MAX_REPLY:
        raise TsaError(f"timestamp authority {url}: answer larger than {MAX_REPLY} bytes")
    try:
        reply = tsp.TimeStampResp.load(body)
        status = reply["status"]["status"].native
    except (ValueError, TypeError) as exc:
        raise TsaError(f"timestamp authority {url}: not an RFC 3161 answer ({exc})") from None
    if status not in ("granted", "granted_with_mods"):
        text = reply["status"]["status_string"].native
        raise TsaError(f"timestamp authority {url} refused: {status} {text or ''}".strip())
    token = reply["time_stamp_token"]
    check_token(bytes(token.dump()), message, nonce, anchors=anchors)
    return bytes(token.dump())


def check_token(
    token_der: bytes,
    message: bytes,
    nonce: int | None = None,
    *,
    anchors: list[x509.Certificate] | None = None,
    require_chain: bool = True,
) -> Timestamp:
    """Check a timestamp token against the bytes it should cover. Raises TsaError.

    The signer's certificate must chain to ``anchors`` (default: the configured ones). With
    no anchor at all, ``require_chain`` False checks everything else and says so in
    ``Timestamp.chain`` (a court checking a bag elsewhere may not hold the CA); True
    raises."""
    try:
        info = cms.ContentInfo.load(token_der)
        signed = info["content"]
        encap = signed["encap_content_info"]
        tst_der = encap["content"].contents
        tst = tsp.TSTInfo.load(tst_der)
        imprint = tst["message_imprint"]
        algo = imprint["hash_algorithm"]["algorithm"].native
        hashed = imprint["hashed_message"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise TsaError(f"timestamp token unreadable ({exc})") from None
    if algo != "sha256" or hashed != hashlib.sha256(message).digest():
        raise TsaError("timestamp token covers other bytes than this tree head")
    if nonce is not None and tst["nonce"].native != nonce:
        raise TsaError("timestamp token answers another request (nonce differs)")
    signer = signed["signer_infos"][0]
    attrs = signer["signed_attrs"]
    digest = next(
        (a["values"][0].native for a in attrs if a["type"].native == "message_digest"), None
    )
    if digest != hashlib.sha256(tst_der).digest():
        raise TsaError("timestamp token's message digest does not match its content")
    certs = [c.chosen for c in signed["certificates"]] if signed["certificates"] else []
    if not certs:
        raise TsaError("timestamp token carries no certificate to check its signature")
    carried = [x509.load_der_x509_certificate(c.dump()) for c in certs]
    cert = _signer_certificate(signer, certs, carried)
    to_verify = b"\x31" + attrs.dump()[1:]  # signed over the SET OF, not the [0] tag
    signature = signer["signature"].native
    key = cert.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, to_verify, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, to_verify, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise TsaError("timestamp token signed with an unsupported key type")
    except InvalidSignature:
        raise TsaError("timestamp token signature does not verify") from None
    gen_time = tst["gen_time"].native
    anchors = configured_anchors() if anchors is None else anchors
    if anchors:
        chain = check_chain(cert, carried, anchors, gen_time)
        trust = "chains to " + _name(chain[-1])
    elif require_chain:
        raise TsaError(
            f"the timestamp authority's certificate {_name(cert)} cannot be checked: no trust "
            f"anchor is configured ({CA_SETTING}: a PEM file of its CA certificates)"
        )
    else:
        trust = "certificate chain not checked (no trust anchor given)"
    return Timestamp(gen_time, int(tst["serial_number"].native), _name(cert), trust)


def _signer_certificate(signer: Any, certs: list[Any], carried: list[x509.Certificate]) -> Any:
    """The carried certificate the SignerInfo names (issuer and serial, or key id)."""
    sid = signer["sid"]
    for raw, cert in zip(certs, carried, strict=True):
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if raw.issuer == ias["issuer"] and raw.serial_number == ias["serial_number"].native:
                return cert
        elif raw.key_identifier == sid.chosen.native:
            return cert
    raise TsaError("timestamp token does not carry the certificate of its signer")
