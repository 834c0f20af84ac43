"""`vigie orgs ...` and `vigie users ...`: what an administrator scripts on day one.

Every write goes through vigie.core.services with a typed Actor resolved by
``vigie.core.acting`` (audited): ``--as-system`` (the operator of this installation, who can
already reach the database) or ``--user NAME`` (whose permissions are checked:
system.orgs.manage for organisations, org.users.manage in the organisation for users). The
commands' own ``--org`` names the organisation worked on. Django is imported inside the
commands (ADR 0061).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from vigie.core.acting import acting

if TYPE_CHECKING:
    from vigie.core.actor import Actor
    from vigie.core.models import Organisation, User

ORGS = acting("system.orgs.manage", needs_org=False)
USERS = acting("org.users.manage", needs_org=False, org_option=False)
# Organisation.Kind values, spelled out so that --help needs no model import (a test compares).
ORG_KINDS = ("un_entity", "member_state", "fiu", "humanitarian", "ngo", "private", "other")


def _user(username: str) -> User:
    from vigie.core.models import User

    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        raise click.ClickException(f"no user {username!r} (see `vigie users list --as-system`).")
    return user


def _org(code: str) -> Organisation:
    from vigie.core.models import Organisation

    org = Organisation.objects.filter(code=code).first()
    if org is None:
        raise click.ClickException(
            f"no organisation with code {code!r} (see `vigie orgs list`, or create it with "
            "`vigie orgs create`)."
        )
    return org


def _writing(call: Callable[[], Any]) -> Any:
    """Run a service call; Django's validation and permission errors become CLI errors."""
    from django.core.exceptions import PermissionDenied, ValidationError

    try:
        return call()
    except ValidationError as exc:
        raise click.ClickException(" ".join(exc.messages)) from None
    except PermissionDenied as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(3) from None


def _emit(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str]) -> None:
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False) if as_json else line(row))


@click.group("orgs")
def orgs() -> None:
    """Organisations: create, list, deactivate."""


@orgs.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include deactivated organisations.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def orgs_list(show_all: bool, as_json: bool) -> None:
    """The organisations (codes and names are not personal data)."""
    from vigie.core.models import Organisation

    qs = Organisation.objects.order_by("code")
    if not show_all:
        qs = qs.filter(is_active=True)
    rows = [
        {
            "code": o.code,
            "name": o.name,
            "kind": o.kind,
            "country": o.country,
            "active": o.is_active,
        }
        for o in qs
    ]
    if not rows:
        click.echo("No organisations. Create one with `vigie orgs create`.", err=True)
    _emit(
        rows,
        as_json,
        lambda r: (
            f"{r['code']:<16} {r['kind']:<12} {r['country'] or '--':<3} "
            f"{'' if r['active'] else '(inactive) '}{r['name']}"
        ),
    )


@orgs.command("create")
@click.argument("code")
@click.option("--name", required=True, help="The organisation's full name.")
@click.option("--kind", type=click.Choice(ORG_KINDS), default="other", show_default=True)
@click.option("--country", default="", help="ISO 3166 alpha-2 code of its seat.")
@ORGS
def orgs_create(code: str, name: str, kind: str, country: str, actor: Actor) -> None:
    """Create organisation CODE."""
    from vigie.core import services

    org = _writing(
        lambda: services.create_organisation(
            actor, code=code, name=name, kind=kind, country=country
        )
    )
    click.echo(f"Organisation {org.code} created. Add users with `vigie users create`.")


def _set_org_active(code: str, active: bool, actor: Actor) -> None:
    from vigie.core import services

    org = _org(code)
    _writing(lambda: services.update_organisation(actor, org, is_active=active))
    state = "active again" if active else "deactivated: its members can no longer act for it"
    click.echo(f"Organisation {org.code} {state}.")


@orgs.command("deactivate")
@click.argument("code")
@ORGS
def orgs_deactivate(code: str, actor: Actor) -> None:
    """Deactivate organisation CODE (its records stay; its members lose its roles)."""
    _set_org_active(code, False, actor)


@orgs.command("activate")
@click.argument("code")
@ORGS
def orgs_activate(code: str, actor: Actor) -> None:
    """Make a deactivated organisation CODE active again."""
    _set_org_active(code, True, actor)


@click.group("users")
def users() -> None:
    """Users and their roles: create, list, deactivate, roles."""


def _memberships(user: User) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for code, role in user.memberships.order_by("organisation__code", "role").values_list(
        "organisation__code", "role"
    ):
        out.setdefault(code, []).append(role)
    return out


@users.command("list")
@click.option("--org", "org_code", help="Only the members of this organisation.")
@click.option("--all", "show_all", is_flag=True, help="Include deactivated users.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@USERS
def users_list(org_code: str | None, show_all: bool, as_json: bool, actor: Actor) -> None:
    """The users and the roles they hold in each organisation."""
    from vigie.core import access
    from vigie.core.models import User

    qs = User.objects.order_by("username")
    if org_code:
        qs = qs.filter(memberships__organisation=_org(org_code)).distinct()
    if not show_all:
        qs = qs.filter(is_active=True)
    allowed = actor.organisations_with("org.users.manage")
    rows = []
    for user in qs:
        held = _memberships(user)
        if allowed is not access.ALL:
            codes = set(
                user.memberships.filter(organisation_id__in=allowed).values_list(
                    "organisation__code", flat=True
                )
            )
            held = {code: roles for code, roles in held.items() if code in codes}
            if not held:
                continue
        rows.append({"username": user.username, "active": user.is_active, "roles": held})
    if not rows:
        click.echo("No users you may manage.", err=True)
    _emit(
        rows,
        as_json,
        lambda r: (
            f"{r['username']:<20} {'' if r['active'] else '(inactive) '}"
            + "; ".join(f"{code}: {', '.join(roles)}" for code, roles in r["roles"].items())
        ),
    )


ROLE = click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="ROLE",
    help="A role to hold (repeat for several; `vigie roles` lists them).",
)


@users.command("create")
@click.argument("username")
@click.option("--org", "org_code", required=True, help="The organisation the user works for.")
@ROLE
@click.option("--email", default="")
@click.option(
    "--password",
    envvar="VIGIE_USER_PASSWORD",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Read from VIGIE_USER_PASSWORD, else prompted.",
)
@USERS
def users_create(
    username: str,
    org_code: str,
    roles: tuple[str, ...],
    email: str,
    password: str,
    actor: Actor,
) -> None:
    """Create user USERNAME in an organisation, holding the --role given."""
    from vigie.core import services

    if not roles:
        raise click.UsageError("give at least one --role (`vigie roles` lists them).")
    org = _org(org_code)
    _writing(
        lambda: services.create_user(
            actor,
            organisation=org,
            username=username,
            password=password,
            roles=list(roles),
            email=email,
        )
    )
    click.echo(f"User {username} created in {org.code} with role(s) {', '.join(roles)}.")


def _only_org(user: User, org_code: str | None) -> Organisation:
    if org_code:
        return _org(org_code)
    codes = sorted(_memberships(user))
    if len(codes) != 1:
        raise click.UsageError(
            f"{user.username} belongs to {len(codes)} organisations: name one with --org."
        )
    return _org(codes[0])


@users.command("deactivate")
@click.argument("username")
@click.option("--org", "org_code", help="Needed when the user belongs to several organisations.")
@USERS
def users_deactivate(username: str, org_code: str | None, actor: Actor) -> None:
    """Deactivate USERNAME: they can no longer log in or use their tokens."""
    from vigie.core import services

    user = _user(username)
    org = _only_org(user, org_code)
    _writing(lambda: services.set_active(actor, user=user, organisation=org, active=False))
    click.echo(f"User {user.username} deactivated.")


@users.command("roles")
@click.argument("username")
@click.option("--org", "org_code", help="Needed when the user belongs to several organisations.")
@ROLE
@USERS
def users_roles(username: str, org_code: str | None, roles: tuple[str, ...], actor: Actor) -> None:
    """Show USERNAME's roles, or with --role replace them in the organisation."""
    from vigie.core import services

    user = _user(username)
    if roles:
        org = _only_org(user, org_code)
        _writing(lambda: services.set_roles(actor, user=user, organisation=org, roles=list(roles)))
    allowed = actor.organisations_with("org.users.manage")
    for code, held in _memberships(user).items():
        org = _org(code)
        if (org_code and code != org_code) or (allowed is not None and org.pk not in allowed):
            continue
        click.echo(f"{user.username} in {code}: {', '.join(held)}")
