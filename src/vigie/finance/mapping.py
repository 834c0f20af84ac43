"""Mapping files: which column of a bank's or a reporting entity's file is which field.

The same YAML style as case imports (``cases/interchange/mapping.py``)::

    columns:              # Vigie field: column name in the file, or {value: constant}
      tx_id: tran_id
      ts: tran_timestamp
      amount: base_amt
      currency: {value: EUR}
      from_account: orig_acct
      to_account: bene_acct
      channel: tx_type
    values:               # per field: file value -> Vigie code
      channel: {TRANSFER: transfer, CASH-IN: cash_deposit}
    timestamp_format: "%Y-%m-%d %H:%M:%S"   # optional (default: ISO 8601 and common forms)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext_lazy as _

from vigie.core.errors import Invalid

#: The fields a file can map (descriptions are not among them: free text may name people).
FIELDS = (
    "tx_id",
    "ts",
    "amount",
    "currency",
    "from_account",
    "to_account",
    "channel",
    "from_country",
    "to_country",
    "location",
    "merchant_category",
    "from_name",
    "to_name",
)
REQUIRED = ("tx_id", "ts", "amount")
CHANNELS = (
    "cash_deposit",
    "cash_withdrawal",
    "transfer",
    "card",
    "payroll",
    "remittance",
    "cheque",
)
CHANNEL_LABELS = {
    "cash_deposit": _("cash deposit"),
    "cash_withdrawal": _("cash withdrawal"),
    "transfer": _("transfer"),
    "card": _("card payment"),
    "payroll": _("salary"),
    "remittance": _("remittance"),
    "cheque": _("cheque"),
}
IDENTIFYING = frozenset({"from_account", "to_account", "from_name", "to_name"})


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # field -> file column
    constants: dict[str, str] = field(default_factory=dict)  # field -> constant value
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    timestamp_format: str | None = None
    #: Vigie's own layout: optional fields whose column is absent are simply empty.
    lenient: bool = False

    def for_header(self, header: list[str]) -> Mapping:
        """This mapping less the optional columns a lenient mapping does not find."""
        if not self.lenient:
            return self
        kept = {k: v for k, v in self.columns.items() if k in REQUIRED or v in header}
        return Mapping(kept, self.constants, self.values, self.timestamp_format, lenient=False)

    def source(self, name: str) -> str:
        return self.columns.get(name, "")


IDENTITY_MAPPING = Mapping(columns={c: c for c in FIELDS}, lenient=True)


def parse(text: str, source: str) -> Mapping:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Invalid(f"{source}: not YAML ({exc})", code="mapping_invalid") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
        raise Invalid(f"{source}: a mapping needs a `columns` section", code="mapping_invalid")
    columns: dict[str, str] = {}
    constants: dict[str, str] = {}
    for name, spec in raw["columns"].items():
        if name not in FIELDS:
            raise Invalid(
                f"{source}: `{name}` is not a transaction field (one of {', '.join(FIELDS)})",
                code="mapping_invalid",
            )
        if isinstance(spec, dict) and "value" in spec:
            constants[name] = str(spec["value"])
        elif isinstance(spec, str) and spec:
            columns[name] = spec
        else:
            raise Invalid(f"{source}: `{name}` must name a column", code="mapping_invalid")
    missing = [r for r in REQUIRED if r not in columns]
    if missing:
        raise Invalid(
            f"{source}: no column mapped for {', '.join(missing)}", code="mapping_invalid"
        )
    values = {
        k: {str(a): str(b) for a, b in v.items()} for k, v in (raw.get("values") or {}).items()
    }
    for code in values.get("channel", {}).values():
        if code not in CHANNELS:
            raise Invalid(
                f"{source}: channel `{code}` is not one of {', '.join(CHANNELS)}",
                code="mapping_invalid",
            )
    fmt = raw.get("timestamp_format")
    return Mapping(columns, constants, values, str(fmt) if fmt else None)


def load(path: Path | None) -> Mapping:
    if path is None:
        return IDENTITY_MAPPING
    return parse(path.read_text(encoding="utf-8"), path.name)


def from_dict(raw: dict[str, Any], source: str = "mapping") -> Mapping:
    return parse(yaml.safe_dump(raw), source)
