"""A tiny RFC 3161 timestamp authority on 127.0.0.1, built by the tests themselves.

It answers TimeStampReq with a TimeStampResp whose token is a CMS SignedData over a TSTInfo,
signed with a throwaway ECDSA P-256 key whose certificate a throwaway test CA issued (the
token carries the TSA certificate and the CA certificate, as real authorities do). Bounded:
it serves only until the test stops it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from asn1crypto import algos, cms, tsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(cn: str = "Vigie test CA") -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A throwaway self-signed CA (basicConstraints cA, keyCertSign)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=2))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


class LocalTSA:
    """Issued by its own test CA (``ca_cert``; ``ca_pem`` for VIGIE_EVIDENCE_TSA_CA).

    ``issuer`` (key, certificate): another CA to issue the TSA certificate from (for example
    one nobody trusts); ``timestamping`` False leaves out the timestamping key usage;
    ``expired`` makes the TSA certificate end before the timestamps it signs;
    ``eku_critical`` False marks the timestamping key usage non-critical (RFC 3161 section 2.3
    requires it critical)."""

    def __init__(
        self,
        issuer: tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None = None,
        *,
        timestamping: bool = True,
        expired: bool = False,
        eku_critical: bool = True,
    ) -> None:
        self.ca_key, self.ca_cert = issuer or make_ca()
        self.ca_pem = pem(self.ca_cert)
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name("Vigie test TSA"))
            .issuer_name(self.ca_cert.subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now - dt.timedelta(hours=1) if expired else now + dt.timedelta(days=1))
        )
        if timestamping:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=eku_critical
            )
        self.cert = builder.sign(self.ca_key, hashes.SHA256())
        self.serial = 0
        self.requests = 0
        self.forge = False  # sign a wrong imprint, to test that clients refuse it

    def answer(self, body: bytes) -> bytes:
        self.requests += 1
        req = tsp.TimeStampReq.load(body)
        self.serial += 1
        imprint = req["message_imprint"]
        if self.forge:
            imprint = tsp.MessageImprint(
                {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "hashed_message": hashlib.sha256(b"something else").digest(),
                }
            )
        tst = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": "1.3.6.1.4.1.99999.1",
                "message_imprint": imprint,
                "serial_number": self.serial,
                "gen_time": dt.datetime.now(dt.UTC).replace(microsecond=0),
                "nonce": req["nonce"].native,
            }
        )
        tst_der = tst.dump()
        attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute(
                    {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]}
                ),
            ]
        )
        signature = self.key.sign(b"\x31" + attrs.dump()[1:], ec.ECDSA(hashes.SHA256()))
        acert = ax509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))
        signed = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": cms.ParsableOctetString(tst_der),
                },
                "certificates": [
                    acert,
                    ax509.Certificate.load(self.ca_cert.public_bytes(serialization.Encoding.DER)),
                ],
                "signer_infos": [
                    {
                        "version": "v1",
                        "sid": cms.SignerIdentifier(
                            {
                                "issuer_and_serial_number": {
                                    "issuer": acert.issuer,
                                    "serial_number": acert.serial_number,
                                }
                            }
                        ),
                        "digest_algorithm": {"algorithm": "sha256"},
                        "signed_attrs": attrs,
                        "signature_algorithm": {"algorithm": "sha256_ecdsa"},
                        "signature": signature,
                    }
                ],
            }
        )
        resp = tsp.TimeStampResp(
            {
                "status": {"status": "granted"},
                "time_stamp_token": cms.ContentInfo(
                    {"content_type": "signed_data", "content": signed}
                ),
            }
        )
        return bytes(resp.dump())


@contextmanager
def running_tsa(tsa: LocalTSA | None = None) -> Iterator[tuple[str, LocalTSA]]:
    tsa = tsa or LocalTSA()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = tsa.answer(self.rfile.read(length))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", tsa
    finally:
        server.shutdown()
        server.server_close()
