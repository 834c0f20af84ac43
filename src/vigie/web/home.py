"""What the home page shows a person: the work waiting for them (queues with counts), what
they can start, and in plain words what their roles let them do. Every count goes through the
apps' selectors, so it covers only what the person may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.core import access
from vigie.core.actor import Viewer, person_of

CAP = 1000  # counts stop here ("1000+"): the home page must stay fast on a large database

# What each role may do, in a sentence a person understands (roles.yaml holds the permissions).
ROLE_SUMMARIES = {
    "field_officer": _(
        "Record cases and victims, refer victims to services, add evidence, screen names."
    ),
    "case_manager": _(
        "Everything a field officer does, plus verify, import, export and delete cases."
    ),
    "analyst": _("Import and export pooled records, and publish disclosure-controlled statistics."),
    "investigator": _(
        "Read case records (identities included, every view recorded), add and seal evidence "
        "and export it for court, screen names and decide on screening hits. Link analysis "
        "across cases is being built."
    ),
    "financial_analyst": _(
        "Screen people and companies against watchlists, decide on hits, read statistics. "
        "Financial red-flag analysis and suspicious-transaction reports are being built."
    ),
    "screening_officer": _(
        "Load watchlists, screen people, groups and suppliers, and decide on hits."
    ),
    "org_admin": _("Manage your organisation's users, their roles, and data sharing."),
    "auditor": _("Read the access log and the records, to check how they were used."),
    "system_admin": _("Create organisations, manage encryption keys and watchlists."),
}


@dataclass(frozen=True)
class Queue:
    title: str
    count: int
    url: str
    hint: str = ""

    @property
    def shown(self) -> str:
        return f"{CAP}+" if self.count >= CAP else str(self.count)


@dataclass(frozen=True)
class Action:
    title: str
    url: str


def _url(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def queues(user: Viewer) -> list[Queue]:
    """The work waiting for ``user``, the largest first; empty queues left out."""
    out: list[Queue] = []
    if access.has_perm(user, "case.change"):
        from vigie.cases.selectors import visible_cases

        n = visible_cases(user, "case.change").filter(verification_status="reported")[:CAP].count()
        url = _url("cases:list", "verification=reported")
        if n and url:
            out.append(Queue(str(_("Cases reported, not yet verified")), n, url))
    if access.has_perm(user, "screening.review"):
        from vigie.screening.selectors import visible_hits

        n = visible_hits(user, "open")[:CAP].count()
        url = _url("screening:review")
        if n and url:
            out.append(Queue(str(_("Screening hits waiting for a decision")), n, url))
    from vigie.core.models import Job

    mine = Job.objects.filter(created_by=person_of(user))
    running = mine.filter(status__in=["queued", "running"])[:CAP].count()
    failed = mine.filter(status="failed", created_at__gte=timezone.now() - timedelta(days=7))[
        :CAP
    ].count()
    jobs_url = _url("core:jobs")
    if running and jobs_url:
        out.append(Queue(str(_("Your jobs in progress")), running, jobs_url))
    if failed and jobs_url:
        out.append(
            Queue(
                str(_("Your jobs that failed this week")),
                failed,
                jobs_url,
                str(_("Open one to see why, then run it again.")),
            )
        )
    return sorted(out, key=lambda q: -q.count)


ACTIONS = [
    ("case.create", "cases:create", _("Record a case")),
    ("case.import", "cases:import", _("Import a file of cases")),
    ("case.view", "cases:list", _("Search the cases")),
    ("screening.run", "screening:search", _("Screen a name")),
    ("evidence.view", "evidence:items", _("Open the evidence vault")),
    ("stats.view", "analytics:dashboard", _("See the statistics")),
    ("org.users.manage", "core:users", _("Manage users")),
    ("audit.view", "core:audit", _("Read the access log")),
]


def actions(user: Viewer) -> list[Action]:
    out = []
    for perm, name, title in ACTIONS:
        url = _url(name)
        if url and access.has_perm(user, perm):
            out.append(Action(str(title), url))
    return out


def role_summaries(roles: list[str]) -> list[tuple[str, str]]:
    """``(role label, what it lets the person do)`` for each role held, once."""
    from vigie.core.roles import catalogue

    cat = catalogue()
    return [
        (cat.role(r).label, str(ROLE_SUMMARIES[r]))
        for r in dict.fromkeys(roles)
        if r in ROLE_SUMMARIES and r in cat.roles
    ]
