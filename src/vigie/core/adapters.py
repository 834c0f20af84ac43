"""django-allauth: administrators create accounts; nobody signs themselves up."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: Any) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A password entered at login within ``VIGIE_RECENT_LOGIN_SECONDS`` counts as recent:
        a user sent to enrol a second factor right after logging in (ADR 0042) is not asked
        for the password a second time."""
        from vigie.core import tokens

        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = context.request
        return request is None or not tokens.recently_authenticated(request)
