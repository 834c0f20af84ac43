from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions

from vigie.core import tokens
from vigie.core.models import ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer vg_…`` — tokens are issued on the account page (ADR 0040)."""

    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{self.keyword} "):
            return None
        token = tokens.authenticate(header[len(self.keyword) + 1 :].strip())
        if token is None:
            raise exceptions.AuthenticationFailed("invalid, expired or revoked token")
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
