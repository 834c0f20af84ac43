"""Files at rest (import uploads, export archives): chunked AES-GCM that round-trips any
content and refuses a damaged, reordered or truncated file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.core import filecrypt


def _encrypt(data: bytes, pieces: int = 3) -> bytes:
    out = io.BytesIO()
    step = max(1, len(data) // pieces)
    filecrypt.encrypt_stream((data[i : i + step] for i in range(0, len(data), step)), out)
    return out.getvalue()


def _decrypt(blob: bytes) -> bytes:
    return b"".join(filecrypt.decrypt_stream(io.BytesIO(blob)))


@settings(max_examples=40, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.sampled_from([0, 1, filecrypt.CHUNK - 1, filecrypt.CHUNK, 2 * filecrypt.CHUNK + 5]).map(
            lambda n: bytes(range(256)) * (n // 256) + bytes(n % 256)
        ),
    )
)
def test_round_trip(data: bytes) -> None:
    blob = _encrypt(data)
    assert data == _decrypt(blob)
    if len(data) >= 16:
        assert data[:16] not in blob


def test_tampering_and_truncation_are_refused() -> None:
    data = b"victim statement " * 10_000  # several chunks
    blob = _encrypt(data)
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 1
    chunk = filecrypt.CHUNK + filecrypt.TAG
    for bad in (bytes(flipped), blob[: len(blob) - chunk], blob[:-1], blob[:10]):
        with pytest.raises(filecrypt.FileDecryptionError):
            _decrypt(bad)


def test_readable_gives_a_plain_copy_and_removes_it(tmp_path: Path) -> None:
    plain = tmp_path / "up.csv"
    plain.write_bytes(b"a,b\n1,2\n")
    enc = tmp_path / "up.enc.csv"
    filecrypt.encrypt_file(plain, enc)
    assert filecrypt.is_encrypted(enc) and not filecrypt.is_encrypted(plain)
    with filecrypt.readable(enc) as path:
        assert path.read_bytes() == b"a,b\n1,2\n" and path.name == enc.name
        copy = path
    assert not copy.exists()
    with filecrypt.readable(plain) as path:
        assert path == plain
