"""Export a case's evidence for court (the bag itself is built by :mod:`vigie.evidence.bag`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vigie.core import audit
from vigie.evidence import bag, keys, log, selectors
from vigie.evidence.models import Item
from vigie.evidence.services import IDENTIFYING_FIELDS, EvidenceError
from vigie.evidence.store import default_store


def _metadata(item: Item) -> dict[str, Any]:
    meta = getattr(item.blob, "metadata", None)
    return dict(meta.data) if meta is not None else {}


def _item_dict(item: Item, tree: Any, size: int) -> dict[str, Any]:
    entries = []
    for e in item.custody.filter(seq__lte=size).order_by("seq"):
        entries.append(
            {
                "seq": e.seq,
                "at": e.at.isoformat(timespec="microseconds"),
                "event": e.event,
                "actor": e.actor_name,
                "org": e.organisation_code,
                "detail": e.detail,
                "leaf": e.leaf_data().decode("utf-8"),
                "leaf_hash": e.leaf_hash,
                "proof": log.inclusion(tree, e.seq, size),
            }
        )
    return {
        "uuid": str(item.uuid),
        "case": item.case_ref,
        "record": item.record(),
        "blob": {
            "sha256": item.blob.sha256,
            "sha512": item.blob.sha512,
            "size": item.blob.size,
            "type": item.blob.mime_type,
        },
        "source": str(item.source.uuid) if item.source else "",
        "derivation": item.derivation,
        "duplicate_of": str(item.duplicate_of.uuid) if item.duplicate_of else "",
        "metadata": _metadata(item),
        "entries": entries,
    }


def export_case(
    user: Any, case_ref: str, outdir: Path, *, lang: str = "en", actor_name: str = ""
) -> tuple[Path, int]:
    """Write the bag for ``case_ref``; ``user`` None is a trusted operator (CLI)."""
    if lang not in ("en", "fr"):
        raise EvidenceError(_("report language %(lang)s: choose en or fr") % {"lang": lang})
    qs = Item.objects.all() if user is None else selectors.visible_items(user, "evidence.export")
    items = list(
        qs.filter(case_ref=case_ref).select_related("blob", "organisation", "source").order_by("id")
    )
    if not items:
        raise EvidenceError(
            _("case %(case)s: no evidence item that you may export") % {"case": case_ref}
        )
    if user is not None:
        sealed = [str(i.uuid) for i in items if not selectors.may_open(user, i)]
        if sealed:
            raise EvidenceError(
                _("sealed items need access approved by a second person first: %(items)s")
                % {"items": ", ".join(sealed)}
            )
    outdir = Path(outdir)
    if outdir.exists() and (not outdir.is_dir() or any(outdir.iterdir())):
        raise EvidenceError(
            _("%(dir)s exists and is not an empty folder; choose a new folder") % {"dir": outdir}
        )
    with transaction.atomic():
        for item in items:
            log.append(
                item,
                "exported",
                user=user,
                actor_name=actor_name,
                detail={"bag": outdir.name, "case": case_ref},
            )
        if user is not None:
            audit.record_access(
                user,
                "export",
                "evidence.case",
                case_ref,
                IDENTIFYING_FIELDS,
                items[0].organisation.code,
            )
    head = log.sign_tree_head()
    assert head is not None
    tree = log.load_tree(head.tree_size)
    dicts = [_item_dict(i, tree, head.tree_size) for i in items]
    store = default_store()
    contents = {str(i.uuid): store.open(i.blob.sha256) for i in items}
    try:
        path = bag.write_bag(
            outdir,
            case_ref=case_ref,
            organisation=items[0].organisation.name,
            items=dicts,
            contents=contents,
            head=log.sth_json(head),
            public_key_pem=keys.public_key_pem(),
            lang=lang,
        )
    except bag.BagError as exc:
        raise EvidenceError(str(exc)) from exc
    return path, len(items)
