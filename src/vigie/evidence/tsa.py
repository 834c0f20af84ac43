"""RFC 3161 timestamps for signed tree heads, from a configured timestamp authority (TSA).

Requests, parsing and verification are rfc3161-client's (the library sigstore uses; ADR
0015): the request carries SHA-256 of the exact bytes the tree head signature covers and a
random nonce; the answer is accepted only if it is granted, its message imprint and nonce
match, its policy is the configured one (``VIGIE_EVIDENCE_TSA_POLICY``, when set), the CMS
signature verifies, the signer's certificate carries the critical extended key usage
id-kp-timeStamping (RFC 3161 section 2.3) and chains, valid at the time the token asserts,
to a configured trust anchor: ``VIGIE_EVIDENCE_TSA_CA``, a PEM file of the authority's CA
certificate(s). What is left here is saying *why* a chain was refused in words a person can
act on. Revocation is not checked (no network is assumed). Configure the authority with
``VIGIE_EVIDENCE_TSA_URL``; nothing is sent anywhere unless it is set, and no timestamp is
requested without a trust anchor.
"""

from __future__ import annotations

import datetime as dt
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from rfc3161_client import (
    HashAlgorithm,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from vigie.core.errors import Unavailable

TIMEOUT = 20
MAX_REPLY = 1024 * 1024
MAX_CHAIN = 8  # certificates between the signer and its trust anchor, at most
CA_SETTING = "VIGIE_EVIDENCE_TSA_CA"
POLICY_SETTING = "VIGIE_EVIDENCE_TSA_POLICY"


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


def configured_policy() -> x509.ObjectIdentifier | None:
    """The TSA policy a token must be issued under (``VIGIE_EVIDENCE_TSA_POLICY``, an OID)."""
    value = os.environ.get(POLICY_SETTING, "").strip()
    if not value:
        return None
    try:
        return x509.ObjectIdentifier(value)
    except ValueError:
        raise TsaError(f"{POLICY_SETTING}={value}: not an object identifier") from None


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    return bool(bc.ca)


def _why_not(
    signer: x509.Certificate,
    carried: list[x509.Certificate],
    anchors: list[x509.Certificate],
    when: dt.datetime,
) -> str:
    """Why the library refused the chain from ``signer`` to ``anchors``, in words a person can
    act on (the library decided; this only explains)."""
    cert = signer
    for _ in range(MAX_CHAIN + 1):
        if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
            role = "timestamp authority" if cert is signer else "intermediate CA"
            return (
                f"{role} certificate {_name(cert)} is valid from "
                f"{cert.not_valid_before_utc.isoformat()} to "
                f"{cert.not_valid_after_utc.isoformat()}, not at the timestamp's time "
                f"{when.isoformat()}"
            )
        if any(a.subject == cert.issuer and _issued_by(cert, a) for a in anchors):
            break
        issuer = next(
            (c for c in carried if c.subject == cert.issuer and c != cert and _issued_by(cert, c)),
            None,
        )
        if issuer is None:
            return (
                f"timestamp authority certificate {_name(signer)} does not chain to a trusted "
                f"CA: {_name(cert)} is issued by {cert.issuer.rfc4514_string()}, which is "
                f"neither a configured trust anchor ({CA_SETTING}) nor a certificate in the "
                "token that verifies it"
            )
        if not _is_ca(issuer):
            return (
                f"certificate {_name(issuer)} issued {_name(cert)} but is not a CA "
                "(basicConstraints cA false or missing)"
            )
        cert = issuer
    return f"timestamp authority certificate {_name(signer)} does not chain to a trusted CA"


def _timestamping(cert: x509.Certificate) -> bool:
    """RFC 3161 section 2.3: a critical extended key usage holding id-kp-timeStamping (the
    library checks it; this only says which rule a refused certificate broke)."""
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return False
    return eku.critical and x509.ExtendedKeyUsageOID.TIME_STAMPING in eku.value


def _anchor_of(
    signer: x509.Certificate, carried: list[x509.Certificate], anchors: list[x509.Certificate]
) -> x509.Certificate | None:
    """The anchor the (verified) chain ends at, to name it."""
    for cert in [signer, *carried]:
        for anchor in anchors:
            if anchor == cert or (anchor.subject == cert.issuer and _issued_by(cert, anchor)):
                return anchor
    return None


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
    query = (
        TimestampRequestBuilder()
        .data(message)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    req = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=query.as_bytes(),
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
        reply = decode_timestamp_response(body)
    except ValueError as exc:
        raise TsaError(f"timestamp authority {url}: not an RFC 3161 answer ({exc})") from None
    if reply.status != 0:  # PKIStatus granted
        text = " ".join(reply.status_string or [])
        raise TsaError(f"timestamp authority {url} refused: status {reply.status} {text}".strip())
    token = reply.time_stamp_token()
    _verify(reply, message, query.nonce, anchors, configured_policy())
    return token


def _as_response(token_der: bytes) -> TimeStampResponse:
    """A stored token (CMS ContentInfo) as the granted response the library reads."""
    try:
        token = cms.ContentInfo.load(token_der)
        der = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})
        return decode_timestamp_response(bytes(der.dump()))
    except (ValueError, TypeError, KeyError) as exc:
        raise TsaError(f"timestamp token unreadable ({exc})") from None


def _verify(
    reply: TimeStampResponse,
    message: bytes,
    nonce: int | None,
    anchors: list[x509.Certificate],
    policy: x509.ObjectIdentifier | None,
) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """Verify with rfc3161-client; return the signer's certificate and the carried ones."""
    carried = [x509.load_der_x509_certificate(c) for c in reply.signed_data.certificates]
    if not carried:
        raise TsaError("timestamp token carries no certificate to check its signature")
    (info,) = reply.signed_data.signer_infos or [None]
    signer = next(
        (
            c
            for c in carried
            if info is not None
            and c.issuer == info.issuer
            and c.serial_number == info.serial_number
        ),
        None,
    )
    if signer is None:
        raise TsaError("timestamp token does not carry the certificate of its signer")
    # No intermediates passed: rfc3161-client puts them in the same trusted set as the
    # roots (measured: a token's own CA certificate passed as an intermediate made a token
    # from an untrusted CA pass), so the chain is built from the token's certificates, which
    # the library treats as untrusted, up to the anchors only.
    builder = VerifierBuilder(roots=list(anchors), nonce=nonce, policy_id=policy)
    try:
        builder.build().verify_message(reply, message)
    except VerificationError as exc:
        raise TsaError(_explain(str(exc), reply, signer, carried, anchors)) from None
    return signer, carried


def _explain(
    why: str,
    reply: TimeStampResponse,
    signer: x509.Certificate,
    carried: list[x509.Certificate],
    anchors: list[x509.Certificate],
) -> str:
    if "Mismatch between messages" in why or "Unsupported hash" in why:
        return "timestamp token covers other bytes than this tree head"
    if "Nonce mismatch" in why:
        return "timestamp token answers another request (nonce differs)"
    if "Policy ID mismatch" in why:
        return (
            f"timestamp token issued under policy {reply.tst_info.policy.dotted_string}, not "
            f"the configured {POLICY_SETTING}"
        )
    if "EKU" in why or ("verifying certificates" in why and not _timestamping(signer)):
        return (
            f"timestamp authority certificate {_name(signer)} is not a timestamping "
            "certificate (RFC 3161 section 2.3: a critical extended key usage holding only "
            f"id-kp-timeStamping; {why})"
        )
    if "verifying certificates" in why:
        return _why_not(signer, carried, anchors, reply.tst_info.gen_time)
    return f"timestamp token refused ({why})"


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
    no anchor at all, ``require_chain`` False checks everything else (the token's own
    certificates stand in as anchors, so the signature, imprint and key usage are still
    checked) and says so in ``Timestamp.chain`` (a court checking a bag elsewhere may not
    hold the CA); True raises."""
    reply = _as_response(token_der)
    anchors = configured_anchors() if anchors is None else anchors
    policy = configured_policy()
    if anchors:
        signer, carried = _verify(reply, message, nonce, anchors, policy)
        anchor = _anchor_of(signer, carried, anchors)
        trust = "chains to " + (_name(anchor) if anchor else "a configured anchor")
    elif require_chain:
        carried = [x509.load_der_x509_certificate(c) for c in reply.signed_data.certificates]
        who = ", ".join(_name(c) for c in carried[:1]) or "(none carried)"
        raise TsaError(
            f"the timestamp authority's certificate {who} cannot be checked: no trust "
            f"anchor is configured ({CA_SETTING}: a PEM file of its CA certificates)"
        )
    else:
        carried = [x509.load_der_x509_certificate(c) for c in reply.signed_data.certificates]
        signer, _carried = _verify(reply, message, nonce, carried, policy)
        trust = "certificate chain not checked (no trust anchor given)"
    tst = reply.tst_info
    return Timestamp(tst.gen_time, int(tst.serial_number), _name(signer), trust)
