"""The network section of a designation dossier: what the subject's perpetrator records are
linked to in the graph (shared phone numbers, vehicles, accounts, armed groups, other
people), each link with the record it was read from.

Read through :func:`vigie.network.selectors.scope_for`, so the section holds only links from
records the requesting actor may see, and nothing for an actor without ``network.view``.
Identifying captions (a person's name, a phone number) follow the graph's own rule on the
page (shown where the actor may see the identities of a record behind the node, every display
access-logged by ``selectors.chart``). An export never carries them: the dossier's PDF and
XML go to a sanctions committee, and the graph's captions are not the subject's listed names
(those are in the dossier itself).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from vigie.core.errors import NotFound
from vigie.dossiers.models import LinkedCase
from vigie.dossiers.sections import EXPORT, Section, SectionRequest
from vigie.network import keys, selectors
from vigie.network.models import Node

DEPTH = 2
LIMIT = 200


def network_section(request: SectionRequest) -> Section | None:
    actor = request.actor
    if not actor.has_perm(selectors.PERMISSION):
        return None
    perpetrators = LinkedCase.objects.filter(
        dossier=request.dossier, perpetrator__isnull=False
    ).values_list("perpetrator__uuid", flat=True)
    wanted = [keys.person_key("cases.perpetrator", str(u)) for u in perpetrators]
    centres = list(Node.objects.filter(key__in=wanted).values_list("pk", flat=True))
    scope = selectors.scope_for(actor)
    if request.purpose == EXPORT:
        scope = selectors.Scope(actor, scope.view, {rt: frozenset() for rt in scope.identity})
    nodes: set[int] = set()
    rows: dict[int, tuple[object, ...]] = {}
    truncated = False
    reached: list[int] = []
    for centre in centres:
        try:
            seen, found, cut = selectors.neighbourhood(scope, centre, depth=DEPTH, limit=LIMIT)
        except NotFound:
            continue  # the actor sees no record behind this perpetrator's node
        reached.append(centre)
        nodes |= seen
        rows.update({r[0]: r for r in found})
        truncated = truncated or cut
    if not reached:
        return None
    chart = selectors.chart(scope, nodes, list(rows.values()), "dossier")
    label = {pk: node["label"] for pk, node in chart.nodes.items()}
    subject = _("Subject")
    for centre in reached:
        label[centre] = subject
    table = sorted(
        (
            [
                label[e["source"]],
                label[e["target"]],
                e["label"],
                e["organisation"],
                e["date"] or "",
            ]
            for e in chart.edges
        ),
        key=lambda row: (row[0] != subject and row[1] != subject, row),
    )
    kinds = sorted({chart.nodes[n]["kind"] for n in nodes if n not in reached})
    lines = [
        _(
            "%(links)s links to %(entities)s entities within %(depth)s steps of the subject's "
            "records, read from records you may see."
        )
        % {"links": len(table), "entities": len(nodes) - len(reached), "depth": DEPTH}
    ]
    if truncated:
        lines.append(_("Only the first %(limit)s entities are listed.") % {"limit": LIMIT})
    if request.purpose == EXPORT:
        lines.append(_("Names and numbers of linked people are not exported."))
    return Section(
        code="network",
        title=_("Network links"),
        lines=lines,
        headers=[_("From"), _("To"), _("Link"), _("Recorded by"), _("Date")],
        rows=table,
        data={
            "entities": len(nodes) - len(reached),
            "kinds": kinds,
            "truncated": truncated,
            "links": [
                {
                    "source": e["source"],
                    "target": e["target"],
                    "kind": e["kind"],
                    "organisation": e["organisation"],
                    "record_type": e["record_type"],
                    "date": e["date"],
                }
                for e in chart.edges
            ],
        },
    )
