"""Cross-referencing the whole graph with the watchlists in force (as Aleph's xref does).

Every person, organisation and group node is screened once by the screening engine's public
service functions; matches at or above ``THRESHOLD`` are kept as ``XrefMatch`` rows (node,
list entry, score: no name is stored). Shown to a user only for the nodes they may see
(vigie.network.selectors). Limits: names are screened one by one, about 2 ms each once the
screening index is loaded; a graph of 100,000 people takes a few minutes in the background.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vigie.core import jobs
from vigie.network.models import Node, XrefMatch

THRESHOLD = 0.85
SCHEMAS = {"person": "Person", "organisation": "Organization", "group": "Organization"}


def run(progress: jobs.Progress) -> dict[str, Any]:
    from vigie.screening import services as screening
    from vigie.screening.models import ListEntry

    nodes = Node.objects.filter(kind__in=list(SCHEMAS)).only("pk", "kind", "caption")
    total = nodes.count()
    found: list[XrefMatch] = []
    for done, node in enumerate(nodes.iterator(chunk_size=500), 1):
        if node.caption:
            try:
                query = screening.make_query(node.caption, SCHEMAS[node.kind])
            except ValidationError:
                query = None
            if query is not None:
                found.extend(
                    XrefMatch(node_id=node.pk, entry_id=r.entry.id, score=r.score)
                    for r in screening.screen(query, threshold=THRESHOLD, limit=3)
                    if r.entry.id is not None
                )
        progress.update(done, total, f"{done} names screened")
    listed = ListEntry.objects.filter(pk__in={m.entry_id for m in found})
    entries = set(listed.values_list("pk", flat=True))
    with transaction.atomic():
        XrefMatch.objects.all().delete()
        XrefMatch.objects.bulk_create([m for m in found if m.entry_id in entries], batch_size=500)
    return {"screened": total, "matches": len(found)}
