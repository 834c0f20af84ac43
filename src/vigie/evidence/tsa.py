"""RFC 3161 timestamps for signed tree heads, from a configured timestamp authority (TSA).

The request carries SHA-256 of the exact bytes the tree head signature covers and a random
nonce. The answer is accepted only if it is granted, its imprint and nonce match, its
message-digest attribute matches the TSTInfo, and its CMS signature verifies with the
certificate it carries. Whether that certificate is trusted is a decision for the court
(the token and certificate are kept in the bag for that). Configure the authority with
``VIGIE_EVIDENCE_TSA_URL``; nothing is sent anywhere unless it is set.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass

from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

TIMEOUT = 20
MAX_REPLY = 1024 * 1024


class TsaError(Exception):
    """The timestamp authority could not be reached or answered something unusable."""


@dataclass(frozen=True)
class Timestamp:
    gen_time: dt.datetime
    serial: int
    tsa_subject: str


def configured_url() -> str:
    return os.environ.get("VIGIE_EVIDENCE_TSA_URL", "")


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
    """Ask ``url`` for a timestamp on ``message``; return the checked token (DER)."""
    if not url.startswith(("http://", "https://")):
        raise TsaError(f"TSA address {url!r}: expected an http:// or https:// URL")
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
    check_token(bytes(token.dump()), message, nonce)
    return bytes(token.dump())


def check_token(token_der: bytes, message: bytes, nonce: int | None = None) -> Timestamp:
    """Check a timestamp token against the bytes it should cover. Raises TsaError."""
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
    cert = x509.load_der_x509_certificate(certs[0].dump())
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
    return Timestamp(
        tst["gen_time"].native, int(tst["serial_number"].native), cert.subject.rfc4514_string()
    )
