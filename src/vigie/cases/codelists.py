"""The versioned code lists of the Vigie data standard (``data/codelists/*.yaml``).

Each file holds one list::

    list: sex                      # the list's name (= the file name)
    version: 1                     # bump when a code is added, renamed or retired
    title: {en: ..., fr: ..., ar: ...}
    crosswalks: [htcds, ctdc]      # other standards this list maps to (optional)
    attributes: [min, max]         # extra keys each code may carry (optional)
    reverse: {ctdc: {value: code}} # which code an ambiguous crosswalk value imports as (optional)
    codes:
      - code: female
        label: {en: Female, fr: Féminin, ar: أنثى}
        xwalk: {htcds: Feminine, ctdc: Female}

``load_all`` reads and validates every list once (cached); ``get(name)`` returns one list.
Problems are reported as :class:`CodeListError` naming the file, the code and the reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import get_language

from vigie.core.errors import VigieError

DATA_DIR = Path(__file__).resolve().parent / "data" / "codelists"
LANGUAGES = ("en", "fr", "ar")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+\-]{0,39}$")
STANDARD_VERSION = "vigie-1.0"


@cache
def collation_key(language: str) -> Callable[[str], Any]:
    """A sort key following ``language``'s collation rules: ICU's (bundled by pyicu-wheels,
    ADR 0060); without ICU, accents and Arabic vowel marks set aside, then case."""
    try:
        import icu

        collator = icu.Collator.createInstance(icu.Locale(language))
        key: Callable[[str], Any] = collator.getSortKey
        return key
    except Exception:  # any failure of ICU leaves the plain key
        return _plain_key


def _plain_key(text: str) -> tuple[str, str]:
    base = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return (base.casefold(), text)


class CodeListError(VigieError, ValueError):
    """A code list file is malformed (the installation's fault: 500, not the caller's)."""

    default_code = "code_list_invalid"
    status = 500


@dataclass(frozen=True)
class Code:
    code: str
    labels: dict[str, str]
    xwalk: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)

    def label(self, language: str | None = None) -> str:
        lang = (language or get_language() or "en")[:2]
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class CodeList:
    name: str
    version: int
    title: dict[str, str]
    codes: dict[str, Code]
    crosswalks: tuple[str, ...] = ()
    reverse: dict[str, dict[str, str]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def __getitem__(self, code: str) -> Code:
        return self.codes[code]

    def label(self, code: str, language: str | None = None) -> str:
        item = self.codes.get(code)
        return item.label(language) if item else code

    def choices(self, language: str | None = None) -> list[tuple[str, str]]:
        return [(c.code, c.label(language)) for c in self.codes.values()]

    def sorted_choices(self, language: str | None = None) -> list[tuple[str, str]]:
        """``choices`` in the alphabetical order of the language ("Åland" among the A, "État"
        among the E, Arabic in its own letter order), for lists without an order of their own
        (countries)."""
        lang = (language or get_language() or "en")[:2]
        key = collation_key(lang)
        return sorted(self.choices(lang), key=lambda choice: key(choice[1]))

    def to_external(self, system: str, code: str) -> str | None:
        """The value of ``code`` in another standard (``None`` if it has none)."""
        item = self.codes.get(code)
        return item.xwalk.get(system) if item else None

    def from_external(self, system: str, value: str) -> str | None:
        """The Vigie code for a value of another standard (``None`` if unknown)."""
        return self._reverse_index(system).get(value.strip().casefold())

    @cache  # noqa: B019  (lists are immutable and live for the whole process)
    def _reverse_index(self, system: str) -> dict[str, str]:
        index: dict[str, str] = {}
        for item in self.codes.values():
            value = item.xwalk.get(system)
            if value is not None:
                index.setdefault(value.casefold(), item.code)
        for value, code in self.reverse.get(system, {}).items():
            index[str(value).casefold()] = code
        return index

    def __hash__(self) -> int:
        return hash((self.name, self.version))


def _labels(raw: Any, where: str, required: tuple[str, ...] = LANGUAGES) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise CodeListError(f"{where}: labels must be a mapping of language to text")
    missing = [lang for lang in required if not str(raw.get(lang) or "").strip()]
    if missing:
        raise CodeListError(f"{where}: label missing in {', '.join(missing)}")
    stray = [str(k) for k, v in raw.items() if v is None]
    if stray:  # `{en: Road (car, bus)}` in a YAML flow mapping: the comma split the label
        raise CodeListError(
            f"{where}: label cut at a comma ({', '.join(stray)}); quote labels with commas"
        )
    return {str(k): str(v) for k, v in raw.items()}


def parse(doc: Any, source: str) -> CodeList:
    """Validate one list's YAML document; ``source`` names it in errors."""
    if not isinstance(doc, dict):
        raise CodeListError(f"{source}: not a YAML mapping")
    for key in ("list", "version", "title", "codes"):
        if key not in doc:
            raise CodeListError(f"{source}: missing key {key!r}")
    name = str(doc["list"])
    title = _labels(doc["title"], f"{source}: title")
    if not isinstance(doc["version"], int) or doc["version"] < 1:
        raise CodeListError(f"{source}: version must be a positive integer")
    systems = tuple(str(s) for s in doc.get("crosswalks") or ())
    attributes = {str(a) for a in doc.get("attributes") or ()}
    if not isinstance(doc["codes"], list) or not doc["codes"]:
        raise CodeListError(f"{source}: codes must be a non-empty list")
    codes: dict[str, Code] = {}
    for i, raw in enumerate(doc["codes"], 1):
        if not isinstance(raw, dict) or "code" not in raw:
            raise CodeListError(f"{source}: entry {i} has no code")
        code = str(raw["code"])
        where = f"{source}: code {code!r}"
        if not CODE_RE.match(code):
            raise CodeListError(f"{where}: codes are 1-40 letters, digits, _ + or -")
        if code in codes:
            raise CodeListError(f"{where}: duplicated")
        labels = _labels(raw.get("label"), where)
        xwalk = raw.get("xwalk") or {}
        if not isinstance(xwalk, dict):
            raise CodeListError(f"{where}: xwalk must be a mapping")
        unknown = set(map(str, xwalk)) - set(systems)
        if unknown:
            raise CodeListError(f"{where}: crosswalk to undeclared standard {sorted(unknown)}")
        attrs = {k: v for k, v in raw.items() if k not in ("code", "label", "xwalk")}
        undeclared = set(attrs) - attributes
        if undeclared:
            raise CodeListError(f"{where}: undeclared attribute {sorted(undeclared)}")
        codes[code] = Code(code, labels, {str(k): str(v) for k, v in xwalk.items()}, attrs)
    reverse = doc.get("reverse") or {}
    for system, mapping in reverse.items():
        if system not in systems:
            raise CodeListError(f"{source}: reverse for undeclared standard {system!r}")
        for value, code in mapping.items():
            if code not in codes:
                raise CodeListError(f"{source}: reverse {system}:{value} -> unknown {code!r}")
    extra = {
        k: v
        for k, v in doc.items()
        if k not in ("list", "version", "title", "codes", "crosswalks", "attributes", "reverse")
    }
    return CodeList(
        name=name,
        version=doc["version"],
        title=title,
        codes=codes,
        crosswalks=systems,
        reverse={str(s): {str(v): str(c) for v, c in m.items()} for s, m in reverse.items()},
        extra=extra,
    )


def load_file(path: Path) -> CodeList:
    try:
        # libyaml's safe loader when the wheel has it (it does on manylinux): the 27 lists
        # are read whenever Django starts, ten times faster than the pure-Python parser
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise CodeListError(f"{path.name}: invalid YAML: {exc}") from exc
    lst = parse(doc, path.name)
    if lst.name != path.stem:
        raise CodeListError(f"{path.name}: list is named {lst.name!r}, not {path.stem!r}")
    return lst


def _check_references(lists: dict[str, CodeList]) -> None:
    """Codes that point into other lists must exist there."""
    countries = lists["countries"]
    for item in lists["conflict_situations"].codes.values():
        for country in item.attrs.get("countries", []):
            if country not in countries:
                raise CodeListError(
                    f"conflict_situations.yaml: code {item.code!r}: unknown country {country!r}"
                )
    for item in lists["armed_groups"].codes.values():
        ptype = item.attrs.get("perpetrator_type")
        if ptype not in lists["perpetrator_types"]:
            raise CodeListError(
                f"armed_groups.yaml: code {item.code!r}: unknown perpetrator_type {ptype!r}"
            )
        for situation in item.attrs.get("situations", []):
            if situation not in lists["conflict_situations"]:
                raise CodeListError(
                    f"armed_groups.yaml: code {item.code!r}: unknown situation {situation!r}"
                )
        ref = item.attrs.get("un_sanctions_ref")
        if ref is not None and not re.match(r"^[A-Z]{2}[ei]\.\d{3}$", str(ref)):
            raise CodeListError(
                f"armed_groups.yaml: code {item.code!r}: {ref!r} is not a UN list reference"
            )
    forms = lists["exploitation_forms"]
    for item in forms.codes.values():
        parent = item.attrs.get("parent")
        if parent is not None and parent not in forms:
            raise CodeListError(
                f"exploitation_forms.yaml: code {item.code!r}: unknown parent {parent!r}"
            )


def load_dir(directory: Path) -> dict[str, CodeList]:
    lists = {p.stem: load_file(p) for p in sorted(directory.glob("*.yaml"))}
    missing = set(REQUIRED) - set(lists)
    if missing:
        raise CodeListError(f"{directory}: missing code lists {sorted(missing)}")
    _check_references(lists)
    return lists


REQUIRED = (
    "sex",
    "age_bands",
    "age_groups",
    "displacement_status",
    "care_status",
    "minority_groups",
    "exploitation_forms",
    "sex_exploitation_types",
    "labour_sectors",
    "means",
    "recruitment_channels",
    "perpetrator_types",
    "perpetrator_roles",
    "relationships",
    "armed_groups",
    "conflict_situations",
    "conflict_contexts",
    "data_source_types",
    "verification_status",
    "trafficking_status",
    "case_status",
    "justice_status",
    "route_leg_roles",
    "transport_modes",
    "corridors",
    "referral_services",
    "countries",
)


@cache
def load_all() -> dict[str, CodeList]:
    return load_dir(DATA_DIR)


def get(name: str) -> CodeList:
    return load_all()[name]


def versions() -> dict[str, int]:
    """``{list name: version}``: recorded with exports and snapshots."""
    return {name: lst.version for name, lst in load_all().items()}


def age_band_for(age: int) -> str:
    """The age band code containing ``age`` (years)."""
    for item in get("age_bands").codes.values():
        lo, hi = item.attrs.get("min"), item.attrs.get("max")
        if lo is not None and hi is not None and lo <= age <= hi:
            return item.code
    return "unknown"
