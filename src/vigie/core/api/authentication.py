from __future__ import annotations

import hashlib
from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions

from vigie.core.models import ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer vg_…`` — tokens are issued on the account page or the CLI."""

    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{self.keyword} "):
            return None
        secret = header[len(self.keyword) + 1 :].strip()
        digest = hashlib.sha256(secret.encode()).hexdigest()
        token = ApiToken.objects.select_related("user").filter(digest=digest).first()
        if token is None or not token.is_usable or not token.user.is_active:
            raise exceptions.AuthenticationFailed("invalid, expired or revoked token")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
