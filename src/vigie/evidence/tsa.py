"""RFC 3161 timestamps for signed tree heads, from a configured timestamp authority."""

from __future__ import annotations


class TsaError(Exception):
    """The timestamp authority could not be reached or answered something unusable."""


def request_timestamp(url: str, message: bytes) -> bytes:
    raise TsaError(f"RFC 3161 timestamps are not available in this build (asked {url})")
