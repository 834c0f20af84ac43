"""Typed loader for the roles code list (data/roles.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROLES_FILE = Path(__file__).parent / "data" / "roles.yaml"


@dataclass(frozen=True)
class Role:
    code: str
    labels: dict[str, str]
    scope: str  # "organisation": rights in the user's organisation; "system": everywhere
    permissions: frozenset[str]

    @property
    def label(self) -> str:
        return localised(self.labels)


@dataclass(frozen=True)
class RoleCatalogue:
    version: int
    permissions: dict[str, dict[str, str]]
    roles: dict[str, Role]

    def role(self, code: str) -> Role:
        try:
            return self.roles[code]
        except KeyError:
            raise ValueError(
                f"unknown role {code!r}; known roles: {', '.join(self.roles)}"
            ) from None

    def choices(self) -> list[tuple[str, str]]:
        return [(r.code, r.label) for r in self.roles.values()]


def localised(labels: dict[str, str]) -> str:
    lang = (_language() or "en")[:2]
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()))


@cache
def catalogue() -> RoleCatalogue:
    import yaml  # here, not at import: ``vigie --help`` imports this module (ADR 0543)

    raw = yaml.safe_load(ROLES_FILE.read_text(encoding="utf-8"))
    perms: dict[str, dict[str, str]] = raw["permissions"]
    roles: dict[str, Role] = {}
    for code, spec in raw["roles"].items():
        unknown = set(spec["permissions"]) - set(perms)
        if unknown:
            raise ValueError(
                f"{ROLES_FILE}: role {code} names unknown permissions {sorted(unknown)}"
            )
        roles[code] = Role(code, spec["label"], spec["scope"], frozenset(spec["permissions"]))
    return RoleCatalogue(int(raw["version"]), perms, roles)


def markdown_table() -> str:
    """docs/roles.md: every permission (rows) against every role (columns)."""
    cat = catalogue()
    roles = list(cat.roles.values())
    lines = [
        "# Roles and permissions",
        "",
        "Generated from `src/vigie/core/data/roles.yaml` by `vigie roles --markdown`; a test",
        "fails when this file and the code list disagree. Organisation-scoped roles act on",
        "their own organisation's records and on records another organisation shares with it",
        "(*Sharing*); the system administrator acts everywhere. Identities of victims are",
        "shown only with *See victims' identities*, and every such view or export is written",
        "to the hash-chained access log.",
        "",
        "| permission | " + " | ".join(r.labels["en"] for r in roles) + " |",
        "|---|" + "|".join(":-:" for _ in roles) + "|",
    ]
    for code, labels in cat.permissions.items():
        marks = " | ".join("✔" if code in r.permissions else "" for r in roles)
        lines.append(f"| {labels['en']} (`{code}`) | {marks} |")
    from vigie.core import grants, mfa

    needs_mfa = mfa.required_roles()
    lines += [
        "",
        "*Two-factor* (ADR 0042): holders must enrol an authenticator app before using any",
        "page or the API (`VIGIE_MFA_REQUIRED_PERMISSIONS`, `VIGIE_MFA_REQUIRED_ROLES`).",
        "*Four-eyes* (ADR 0041): an administrator's grant of the role waits until a different",
        "administrator of the organisation, or a system administrator, approves it; nobody",
        "approves their own request or a grant to themselves (`VIGIE_FOUR_EYES_PERMISSIONS`).",
        "Both columns show the default settings.",
        "",
        "| role | code | scope | two-factor | four-eyes |",
        "|---|---|---|:-:|:-:|",
    ]
    lines += [
        f"| {r.labels['en']} ({r.labels['fr']}) | `{r.code}` | {r.scope} "
        f"| {'✔' if r.code in needs_mfa else ''} | {'✔' if grants.needs_approval(r.code) else ''} |"
        for r in roles
    ]
    return "\n".join(lines) + "\n"


def _language() -> str | None:
    """The active language, read when a label is wanted (not at import: `vigie --help`
    loads this module and must not load Django's translation machinery)."""
    from django.utils.translation import get_language

    return get_language()
