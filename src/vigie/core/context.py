"""Per-request context (request id, client address, user) shared with the audit trail."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass
class RequestContext:
    request_id: str
    ip: str | None
    request: Any = None  # the HttpRequest; DRF sets request.user on it after authenticating


_current: ContextVar[RequestContext | None] = ContextVar("vigie_request_context", default=None)


def set_context(ctx: RequestContext | None) -> object:
    return _current.set(ctx)


def reset_context(token: Any) -> None:
    _current.reset(token)


def current() -> RequestContext | None:
    return _current.get()


def get_request_id() -> str | None:
    ctx = _current.get()
    return ctx.request_id if ctx else None


def current_user() -> Any:
    ctx = _current.get()
    user = getattr(ctx.request, "user", None) if ctx else None
    return user if user is not None and user.is_authenticated else None
