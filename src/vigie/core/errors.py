"""One error model for services, the API and the command line (ADR 0008).

Every error a service raises on purpose is a :class:`VigieError`: a stable machine ``code``
(snake_case, documented, never translated), an HTTP ``status``, a translatable ``message``
for people and an optional ``detail`` mapping (field, row, column, value...). The API turns
it into an RFC 9457 problem document (``core.api.errors``); the CLI prints the message and
exits with :func:`exit_status`.

Messages must not carry identifying values (a victim's name, a document number): they end
up in logs, job results and API responses read by people without ``victim.identity.view``.
"""

from __future__ import annotations

from typing import Any

#: CLI exit statuses by HTTP status class (documented in docs/errors.md).
EXIT_INVALID = 2
EXIT_FORBIDDEN = 3
EXIT_NOT_FOUND = 4
EXIT_CONFLICT = 5
EXIT_FAILED = 1


class VigieError(Exception):
    """Base of every deliberate error. Subclasses set ``default_code`` and ``status``."""

    default_code = "error"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        if status is not None:
            self.status = status
        self.detail: dict[str, Any] = dict(detail or {})

    def __str__(self) -> str:
        return self.message

    def as_problem(self, instance: str = "") -> dict[str, Any]:
        """The RFC 9457 problem document (``application/problem+json``)."""
        doc: dict[str, Any] = {
            "type": f"urn:vigie:error:{self.code}",
            "title": self.message,
            "status": self.status,
            "code": self.code,
        }
        if instance:
            doc["instance"] = instance
        if self.detail:
            doc["detail"] = self.detail
        return doc


class Invalid(VigieError):
    """The input is wrong (a value, a file, a row): the caller can fix it."""

    default_code = "invalid"
    status = 400


class Forbidden(VigieError):
    default_code = "forbidden"
    status = 403


class NotFound(VigieError):
    default_code = "not_found"
    status = 404


class Conflict(VigieError):
    """The request is valid but clashes with the current state (a duplicate, a stale edit)."""

    default_code = "conflict"
    status = 409


class TooLarge(VigieError):
    """A file, a cell or a request is over a configured limit."""

    default_code = "too_large"
    status = 413


class Unavailable(VigieError):
    """A dependency is busy or missing (a locked database, an unreachable key service)."""

    default_code = "unavailable"
    status = 503
    retry_after: int | None = None  # seconds, sent as ``Retry-After`` when set


class Busy(Unavailable):
    """Another writer held the database past the busy timeout (SQLite has one writer at a
    time; an import's publication holds it for seconds). The request changed nothing and
    can be sent again: a 503 with ``Retry-After`` says so, where a 500 said "bug"."""

    default_code = "database_busy"
    retry_after = 5


# How SQLite's messages for a lock held by another connection begin: past ``busy_timeout``
# on a file, or at once on a shared-cache in-memory database (the test database: "database
# table is locked: <table>")
LOCKED = ("database is locked", "database table is locked")


def busy(exc: BaseException) -> Busy | None:
    """The error to answer for ``exc`` when it is a database lock that outlasted the wait."""
    from django.db import OperationalError
    from django.utils.translation import gettext as _

    if isinstance(exc, OperationalError) and str(exc).startswith(LOCKED):
        return Busy(_("The database is busy with another change. Try again in a few seconds."))
    return None


def exit_status(error: VigieError) -> int:
    """The CLI's exit status for an error (2 invalid, 3 forbidden, 4 not found, 5 conflict)."""
    if error.status == 403 or error.status == 401:
        return EXIT_FORBIDDEN
    if error.status == 404:
        return EXIT_NOT_FOUND
    if error.status == 409:
        return EXIT_CONFLICT
    if 400 <= error.status < 500:
        return EXIT_INVALID
    return EXIT_FAILED
