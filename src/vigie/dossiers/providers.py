"""Vigie's own dossier sections: cases (aggregated through disclosure control), victims
(confidential, only with the identity permission), evidence with custody proofs, screening
hits and financial alerts. Each reads with the requesting actor's permissions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from vigie.analytics import disclosure
from vigie.dossiers.models import LinkedCase
from vigie.dossiers.sections import Section, SectionRequest, register


def _protected(
    dim: str, records: Iterable[tuple[str, Iterable[str], bool]]
) -> tuple[disclosure.Release, list[tuple[str, int | None]]]:
    """The release of a one-way table of ``records`` (record key, values, whether the reader
    may not open the record) by disclosure control (small counts suppressed, counts
    perturbed: vigie.analytics.disclosure), and its ``[(value, published count or None)]``.

    A cell is also suppressed when the records the reader may not open are 1..k-1 of it,
    whatever the others: a reader who links cases of their own to the dossier (each link
    gives the cell new noise) and subtracts them would otherwise average the noise away and
    learn a small count of other organisations' cases (ADR 0053). For the same reason the
    noise of a published cell is drawn from the records the reader may not open alone
    (ADR 0070): the reader's own records are exact to them anyway."""
    policy = disclosure.default_policy()
    table = disclosure.Table((dim,), multi=frozenset({dim}))
    hidden: dict[disclosure.Coords, disclosure.Cell] = {}
    for key_text, values, unseen in records:
        key = disclosure.record_key(key_text, policy.salt)
        for coords in [(v,) for v in sorted(set(values))] + [(None,)]:
            for cells in (table.cells, hidden) if unseen else (table.cells,):
                cell = cells.setdefault(coords, disclosure.Cell(0, 0))
                cell.n += 1
                cell.key = (cell.key + key) % disclosure.KEY_MODULUS
    force = [coords for coords, cell in hidden.items() if 0 < cell.n < policy.k]
    # the noise is drawn from the cases the reader cannot open alone: linking or unlinking
    # their own cases must not refresh it (ADR 0070)
    release = disclosure.protect(table, policy, force=force, unseen=hidden)
    rows = release.rows(with_margins=False, nonzero=True)
    return release, [(row[dim], row["count"]) for row in rows]


def cases_section(request: SectionRequest) -> list[Section]:
    from vigie.cases import codelists

    links = list(
        LinkedCase.objects.filter(dossier=request.dossier).select_related("case__organisation")
    )
    cases = [link.case for link in links]
    forms: dict[int, list[str]] = {c.pk: [] for c in cases}
    for case_id, values in _exploitation_forms(cases):
        forms[case_id].extend(values)
    lang = request.language
    dims: list[tuple[str, str, Any, Any]] = [
        ("form", _("Form of exploitation"), lambda c: forms[c.pk],
         codelists.get("exploitation_forms")),
        ("country", _("Country"), lambda c: [c.country] if c.country else [],
         codelists.get("countries")),
        ("year", _("Year of the events"), lambda c: [str(c.event_year)] if c.event_year else [],
         None),
    ]  # fmt: skip
    visible = [c for c in cases if request.actor.has_perm("case.view", c.organisation_id)]
    opened = {c.pk for c in visible}
    rows: list[list[str]] = []
    breakdown: list[dict[str, Any]] = []
    k, margins = 0, []
    for dim, label, values_of, codes in dims:
        release, released = _protected(
            dim, ((f"cases.case:{c.pk}", values_of(c), c.pk not in opened) for c in cases)
        )
        k = release.k
        margins.append(release.value(None))
        for value, count in released:
            shown = _("fewer than %(k)s") % {"k": k} if count is None else str(count)
            rows.append([label, codes.label(value, lang) if codes else value, shown])
            breakdown.append(
                {"by": dim, "value": value, "cases": count, "suppressed": count is None}
            )
    # the number of cases the reader may not open is a count like any other: published only
    # as every table released it (one table's secondary suppression of it must hold)
    linked: int | None = len(cases)
    if len(opened) < len(cases):  # (the same records: each table publishes the same value)
        linked = None if None in margins else margins[0]
    aggregate = Section(
        code="cases",
        title=_("Cases the subject appears in"),
        lines=[
            _(
                "%(n)s linked cases. Counts pass disclosure control: "
                "counts under %(k)s are not shown."
            )
            % {"n": _("fewer than %(k)s") % {"k": k} if linked is None else linked, "k": k}
        ],
        headers=[_("Breakdown"), _("Value"), _("Cases")],
        rows=rows,
        data={"linked": linked, "breakdown": breakdown},
    )
    out = [aggregate]
    if visible:
        out.append(
            Section(
                code="case-list",
                title=_("Linked cases you may open"),
                headers=[_("Reference"), _("Organisation"), _("Country"), _("Year")],
                rows=[
                    [c.reference, c.organisation.code, c.country, str(c.event_year or "")]
                    for c in visible
                ],
                data={"cases": [{"uuid": str(c.uuid), "reference": c.reference} for c in visible]},
            )
        )
    victims = _victims_section(request, cases)
    if victims is not None:
        out.append(victims)
    return out


def _exploitation_forms(cases: list[Any]) -> Iterable[tuple[int, list[str]]]:
    from vigie.cases.models import Exploitation

    for case_id, values in Exploitation.objects.filter(case__in=cases).values_list(
        "case_id", "forms"
    ):
        yield case_id, list(values or [])


def _victims_section(request: SectionRequest, cases: list[Any]) -> Section | None:
    """Victims of the linked cases, by name: only on request, only for the cases whose
    organisation gave the actor the identity permission (view or export)."""
    from vigie.cases.models import Victim

    allowed = [c for c in cases if request.may_see_identities(c.organisation_id)]
    if not allowed:
        return None
    rows, fields = [], {}
    for victim in Victim.objects.filter(case__in=allowed).select_related("case__organisation"):
        name = " ".join(p for p in (victim.given_name, victim.family_name) if p)
        rows.append([victim.case.reference, str(victim.pk), name or "—"])
        fields[victim.case.organisation.code] = ["given_name", "family_name"]
    return Section(
        code="victims",
        title=_("Victims named in the linked cases (confidential)"),
        lines=[_("Shown under your permission to see victims' identities; this view is recorded.")],
        headers=[_("Case"), _("Victim"), _("Name")],
        rows=rows,
        data={"victims": [{"case": r[0], "victim": r[1], "name": r[2]} for r in rows]},
        confidential=True,
        identity_fields=fields,
    )


def evidence_section(request: SectionRequest) -> Section | None:
    """Evidence items linked to the dossier (by its reference) or to its perpetrator records,
    with their custody entries and an inclusion proof against the newest signed tree head."""
    from django.db.models import Q

    from vigie.evidence import log, merkle
    from vigie.evidence.models import CustodyEntry, Item, SignedTreeHead

    dossier = request.dossier
    perpetrators = [
        p
        for p in LinkedCase.objects.filter(dossier=dossier).values_list("perpetrator_id", flat=True)
        if p
    ]
    orgs = request.actor.organisations_with("evidence.view")
    items = Item.objects.filter(
        Q(links__kind="dossier", links__reference=dossier.reference)
        | Q(links__perpetrator_id__in=perpetrators)
    ).distinct()
    if orgs is not None:
        items = items.filter(organisation_id__in=sorted(orgs))
    found = list(items.select_related("blob").order_by("id")[:200])
    if not found:
        return None
    head = SignedTreeHead.objects.order_by("-tree_size").first()
    tree = log.load_tree(head.tree_size) if head is not None else None
    rows, data = [], []
    for item in found:
        custody = list(CustodyEntry.objects.filter(item=item).order_by("seq"))
        proof_ok, proof = None, []
        covered = [e for e in custody if head is not None and e.seq <= head.tree_size]
        if covered and tree is not None and head is not None:
            last = covered[-1]
            proof = log.inclusion(tree, last.seq, head.tree_size)
            proof_ok = merkle.verify_inclusion(
                bytes.fromhex(last.leaf_hash),
                last.seq - 1,
                head.tree_size,
                [bytes.fromhex(h) for h in proof],
                bytes.fromhex(head.root_hash),
            )
        status = (
            _("no signed tree head yet")
            if proof_ok is None
            else (_("included in the signed log") if proof_ok else _("PROOF FAILS"))
        )
        rows.append([str(item.uuid)[:8], item.blob.sha256[:16] + "…", str(len(custody)), status])
        data.append(
            {
                "uuid": str(item.uuid),
                "sha256": item.blob.sha256,
                "sha512": item.blob.sha512,
                "sealed": item.sealed,
                "custody": [
                    {
                        "seq": e.seq,
                        "event": e.event,
                        "at": e.at.isoformat(),
                        "leaf_hash": e.leaf_hash,
                    }
                    for e in custody
                ],
                "inclusion": {
                    "tree_size": head.tree_size if head else None,
                    "root_hash": head.root_hash if head else None,
                    "audit_path": proof,
                    "verified": proof_ok,
                },
            }
        )
    return Section(
        code="evidence",
        title=_("Evidence items and their custody proofs"),
        lines=[
            _("Signed tree head: size %(size)s, root %(root)s.")
            % {"size": head.tree_size, "root": head.root_hash}
            if head
            else _("The custody log has no signed tree head yet.")
        ],
        headers=[_("Item"), _("SHA-256"), _("Custody entries"), _("Proof")],
        rows=rows,
        data={"items": data},
    )


def screening_section(request: SectionRequest) -> Section | None:
    """Potential and confirmed matches of the linked perpetrators on the watchlists (the
    listed entries are public data), for actors who may review screening hits."""
    from vigie.screening.models import Hit, Subject

    perpetrators = list(
        LinkedCase.objects.filter(dossier=request.dossier, perpetrator__isnull=False).values_list(
            "perpetrator__organisation_id", "perpetrator__uuid"
        )
    )
    if not perpetrators:
        return None
    wanted = [str(u) for org, u in perpetrators if request.actor.has_perm("screening.review", org)]
    subjects = Subject.objects.filter(purpose="perpetrator", external_id__in=wanted)
    hits = list(
        Hit.objects.filter(subject__in=subjects)
        .select_related("entry", "entry__watchlist")
        .order_by("-score")[:50]
    )
    if not hits:
        return None
    return Section(
        code="screening",
        title=_("Screening hits"),
        headers=[_("Listed entry"), _("Name on the list"), _("List"), _("Score"), _("Status")],
        rows=[
            [
                h.entry.reference,
                h.entry.caption,
                h.entry.watchlist.code,
                f"{h.score:.2f}",
                h.get_status_display(),
            ]
            for h in hits
        ],
        data={
            "hits": [
                {"id": str(h.pk), "entry": h.entry.reference, "score": h.score, "status": h.status}
                for h in hits
            ]
        },
    )


def _norm(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in folded if ch.isalnum() or ch.isspace()).split())


def finance_section(request: SectionRequest) -> Section | None:
    """Red-flag alerts on accounts whose holder bears one of the subject's names, for actors
    who may analyse the account's financial flows. Holders are encrypted without a blind
    index: the alerted accounts (few) are compared one by one."""
    from vigie.finance.models import Alert

    orgs = request.actor.organisations_with("finance.view")
    if orgs is not None and not orgs:
        return None
    names = {_norm(request.dossier.primary_name)} | {
        _norm(a.name) for a in request.dossier.aliases.all()
    }
    alerts = Alert.objects.select_related("account")
    if orgs is not None:
        alerts = alerts.filter(organisation_id__in=sorted(orgs))
    found = [a for a in alerts[:5000] if a.account.holder and _norm(a.account.holder) in names]
    if not found:
        return None
    return Section(
        code="finance",
        title=_("Financial red-flag alerts"),
        headers=[_("Rule"), _("Typology"), _("Amount"), _("Status")],
        rows=[[a.rule, a.typology, str(a.amount), a.get_status_display()] for a in found],
        data={"alerts": [{"id": str(a.pk), "rule": a.rule, "status": a.status} for a in found]},
    )


def register_all() -> None:
    register("cases", cases_section, order=10)
    register("evidence", evidence_section, order=30)
    register("screening", screening_section, order=40)
    register("finance", finance_section, order=60)
