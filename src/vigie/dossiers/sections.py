"""The dossier's sections, gathered from providers that any Vigie app registers.

A provider is a function ``provider(request: SectionRequest) -> Section | None``. It reads
what its app knows about the dossier's subject, with ``request.actor``'s permissions, and
returns a :class:`Section` (or ``None`` when it has nothing to say or the actor may not see
it). Register it once in the app's ``AppConfig.ready``::

    from vigie.dossiers.sections import register
    register("network", network_section, order=50)

The page, the API and both exports render every section the same way (title, summary lines,
one table), so a new provider needs no change here. A provider that shows a victim's identity
must do so only for ``request.may_see_identities(case_org)`` and list the identity fields it
showed in ``Section.identity_fields``: the caller records them in the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vigie.core import access

if TYPE_CHECKING:
    from vigie.core.actor import Actor
    from vigie.dossiers.models import Dossier

VIEW, EXPORT = "view", "export"


@dataclass(frozen=True)
class SectionRequest:
    """Who asks for the sections of which dossier, and for what.

    ``purpose``: ``"view"`` (page, API) or ``"export"`` (PDF, XML). ``identities``: the caller
    asked for victims' identities (an export must ask explicitly); a provider still shows
    them only where the actor holds the permission in the case's organisation."""

    actor: Actor
    dossier: Dossier
    purpose: str = VIEW
    language: str = "en"
    identities: bool = False

    @property
    def identity_permission(self) -> str:
        return "victim.identity.export" if self.purpose == EXPORT else "victim.identity.view"

    def may_see_identities(self, organisation_id: int) -> bool:
        if not self.identities:
            return False
        if self.actor.user is None:  # the system never exports identities on its own
            return False
        return access.has_perm(self.actor.user, self.identity_permission, organisation_id)


@dataclass
class Section:
    """What a provider contributes: rendered as a heading, lines of text and a table.

    ``data`` is the structured form for the API (JSON-serialisable). ``identity_fields``
    names the victims' identity fields shown, per case organisation code, for the access
    log; ``confidential`` sections (victims' identities) go to the PDF's confidential annex,
    never to the XML."""

    code: str
    title: str
    lines: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    confidential: bool = False
    identity_fields: dict[str, list[str]] = field(default_factory=dict)


Provider = Callable[[SectionRequest], "Section | list[Section] | None"]


@dataclass(frozen=True)
class _Registered:
    code: str
    provider: Provider
    order: int


_REGISTRY: dict[str, _Registered] = {}


def register(code: str, provider: Provider, order: int = 100) -> None:
    """Add (or replace) the provider of section ``code``; sections render by ``order``."""
    _REGISTRY[code] = _Registered(code, provider, order)


def registered() -> list[str]:
    return [r.code for r in sorted(_REGISTRY.values(), key=lambda r: (r.order, r.code))]


def gather(request: SectionRequest) -> list[Section]:
    """Every provider's sections for ``request``, in order."""
    out: list[Section] = []
    for reg in sorted(_REGISTRY.values(), key=lambda r: (r.order, r.code)):
        result = reg.provider(request)
        if result is None:
            continue
        out.extend(result if isinstance(result, list) else [result])
    return out
