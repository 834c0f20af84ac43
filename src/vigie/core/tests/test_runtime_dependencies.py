"""Every third-party module that Vigie's runtime code imports at module level comes from a
distribution in requirements/base.txt (what `make demo` installs). numpy was imported by
vigie.linkage.encoding while only the dev requirements held it: `make demo` failed at start
on a base install while every test passed on the dev one."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]  # src/vigie
ROOT = SRC.parents[1]
# runtime modules only: tests and the developer tooling run on the dev requirements
DEV_ONLY = ("tests", "devtools")
DEV_MODULES = {"conftest.py", "testing.py", "browser.py"}


def _base_distributions() -> set[str]:
    names = set()
    for line in (ROOT / "requirements" / "base.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-")):
            names.add(re.split(r"[=<>~!; \[]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def _top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in tree.body:  # module level only: imports inside functions are lazy on purpose
        if isinstance(node, ast.Import):
            out.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_runtime_imports_come_from_the_base_requirements() -> None:
    base = _base_distributions()
    dists = packages_distributions()
    missing: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts[0] in DEV_ONLY or "tests" in rel.parts or rel.name in DEV_MODULES:
            continue
        if "migrations" in rel.parts:
            continue
        for module in _top_level_imports(path):
            if module in sys.stdlib_module_names or module in ("vigie", "__future__"):
                continue
            owners = {d.lower().replace("_", "-") for d in dists.get(module, [])}
            if not owners or not owners & base:
                missing.setdefault(module, []).append(str(rel))
    assert missing == {}
