"""Who acts on the command line: ``--user NAME [--org CODE]`` or ``--as-system`` (ADR 0009).

Every command that changes data takes one of the two, through :func:`acting`, and gets an
:class:`~vigie.core.actor.Actor` resolved once, with the same organisation rule as the web
and the API (:func:`vigie.core.actor.acting_organisation`). There is no silent default: a
command given neither says so. Both are audited: the access log gets one ``command`` entry
naming the command and the actor's label (``alice`` or ``system (command line: ...)``), and
the change log entries written meanwhile carry the user (django-auditlog's actor).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from vigie.core.errors import Invalid

if TYPE_CHECKING:  # imported when a command runs: it loads the roles (YAML) at import
    from vigie.core.actor import Actor

F = TypeVar("F", bound=Callable[..., Any])


def resolve(
    perm: str | None,
    username: str | None,
    org_code: str | None,
    as_system: bool,
    command: str,
    needs_org: bool = True,
) -> Actor:
    """The actor of a command line: a user acting for an organisation, or the system.

    ``needs_org`` False: the command works on records that name their organisation (an
    item to transfer, a case to export), so without ``--org`` the actor acts for none in
    particular (the user must still hold ``perm`` somewhere) and the service checks
    ``perm`` in the record's organisation.

    ``perm`` None (with ``needs_org`` False): the rule is per record and the service checks
    it (a job may be cancelled by its creator or an administrator of its organisation).

    Errors are :class:`~vigie.core.errors.VigieError`: the ``vigie`` command's one handler
    (``vigie.cli``) prints them and exits with their status."""
    from vigie.core.actor import Actor, actor_for
    from vigie.core.models import Organisation, User

    if as_system and username:
        raise click.UsageError("give --user NAME or --as-system, not both")
    if not as_system and not username:
        raise click.UsageError("say who acts: --user NAME [--org CODE], or --as-system")
    if as_system:
        orgs = Organisation.objects.filter(is_active=True)
        if org_code:
            orgs = orgs.filter(code=org_code)
        found = list(orgs[:2])
        if not org_code and not needs_org:
            return Actor.system(f"command line: vigie {command}, by {_os_user()}")
        if len(found) != 1:
            raise Invalid(
                _("No active organisation has the code “%(code)s”.") % {"code": org_code}
                if org_code
                else _("Several organisations: name the one this is for with --org CODE."),
                code="unknown_organisation" if org_code else "organisation_required",
            )
        return Actor.system(f"command line: vigie {command}, by {_os_user()}", found[0].pk)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise Invalid(_("No active user of that name."), code="unknown_user")
    if not org_code and not needs_org:
        actor = Actor(user=user)
        if perm is not None:
            actor.require(perm)
        return actor
    if perm is None:
        raise ValueError("a command whose rule is per record takes no --org")
    return actor_for(user, perm, org_code)


def _(text: str) -> str:
    """gettext, imported when a message is made (``vigie --help`` imports this module)."""
    from django.utils.translation import gettext

    return gettext(text)


def _os_user() -> str:
    """The operating-system account that ran the command (kept in the system's reason)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown account"


@contextmanager
def audited(actor: Actor, command: str) -> Iterator[None]:
    """Record the command and its actor in the access log, and name the user in the change
    log entries written while it runs."""
    from auditlog.context import set_actor

    from vigie.core import audit
    from vigie.core.models import Organisation

    org = Organisation.objects.filter(pk=actor.organisation_id or 0).first()
    audit.record_access(
        actor,
        "command",
        "cli",
        command,
        organisation_code=org.code if org else "",
        detail={"actor": actor.label},
    )
    if actor.user is None:
        yield
        return
    with set_actor(actor.user):
        yield


def acting(
    perm: str | None, *, needs_org: bool = True, org_option: bool = True
) -> Callable[[F], F]:
    """Add ``--user``, ``--org`` and ``--as-system`` to a click command and pass it ``actor``.

    ``perm`` is the permission the command needs: the user must hold it in the organisation
    (named with ``--org``, or their only one); see :func:`resolve` for ``needs_org``.
    ``org_option`` False (with ``needs_org`` False): the command has its own ``--org``
    naming the organisation it works on, where its service checks ``perm``."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(
            *args: Any,
            acting_user: str | None,
            acting_system: bool,
            acting_org: str | None = None,
            **kwargs: Any,
        ) -> Any:
            ctx = click.get_current_context()
            command = ctx.command_path.split(" ", 1)[-1] if ctx.command_path else func.__name__
            actor = resolve(perm, acting_user, acting_org, acting_system, command, needs_org)
            with audited(actor, command):
                return func(*args, actor=actor, **kwargs)

        command = click.option(
            "--as-system",
            "acting_system",
            is_flag=True,
            help="Act as the system itself (audited as such).",
        )(wrapper)
        if org_option:
            command = click.option(
                "--org", "acting_org", metavar="CODE", help="The organisation acted for."
            )(command)
        command = click.option("--user", "acting_user", metavar="NAME", help="Act as this user.")(
            command
        )
        return command  # type: ignore[return-value]

    return decorate
