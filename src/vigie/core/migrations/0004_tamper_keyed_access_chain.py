"""The access-log chain becomes keyed (HMAC-SHA256 under the audit key, ADR 0030).

Entries written before are chained again under the key, in order, after checking that their
unkeyed SHA-256 chain was intact: an installation upgraded from a broken chain stops here
rather than vouch for it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import migrations


def _sha256_chain(prev: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()


def rechain(apps: Any, schema_editor: Any) -> None:
    from vigie.core.audit import GENESIS, audit_key
    from vigie.core.models import access_mac, access_payload

    entry_model = apps.get_model("core", "AccessLogEntry")
    head_model = apps.get_model("core", "AccessLogHead")
    if not entry_model.objects.exists():
        return
    key = audit_key()
    old_prev, new_prev, last = GENESIS, GENESIS, 0
    for entry in entry_model.objects.order_by("seq").iterator(chunk_size=2000):
        payload = access_payload(entry)
        if entry.prev_hash != old_prev or _sha256_chain(old_prev, payload) != entry.entry_hash:
            raise RuntimeError(
                f"access log entry {entry.seq} does not verify under the old unkeyed chain; "
                "run `vigie audit verify` on the previous version and keep its report"
            )
        old_prev = entry.entry_hash
        mac = access_mac(key, new_prev, payload)
        entry_model.objects.filter(pk=entry.pk).update(prev_hash=new_prev, entry_hash=mac)
        new_prev, last = mac, entry.seq
    head_model.objects.update_or_create(pk=1, defaults={"last_seq": last, "last_hash": new_prev})


class Migration(migrations.Migration):
    dependencies = [("core", "0003_accounts_tokens_and_grants")]

    operations = [migrations.RunPython(rechain, migrations.RunPython.noop)]
