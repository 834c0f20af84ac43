"""The layout rules of ADR 0014, read from the source.

- Runtime code does not import ``vigie.devtools`` (synthetic-data generators, evaluation-set
  builders): only ``demo.py`` modules, tests, ``vigie.testing`` and the benchmarks do, and the
  developer commands named below, inside the command so that importing their module does not
  load the generators.
- No module is named like one of Vigie's apps outside that app (``screening/evidence.py``
  read as if it belonged to the evidence app).
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

SRC = Path(__file__).resolve().parents[2]  # src/vigie

# A developer command in a runtime module: it may import devtools inside the command only.
LAZY_DEVTOOLS = {
    "cases/cli.py": "`vigie generate` writes synthetic import files",
    "finance/training.py": "`vigie finance train` fits the model on generated typologies",
}


def _exempt(rel: Path) -> bool:
    parts = rel.parts
    return (
        parts[0] == "devtools"
        or "tests" in parts
        or rel.name in {"demo.py", "conftest.py"}
        or rel.as_posix() == "testing.py"
    )


def _devtools_imports(tree: ast.Module) -> list[tuple[int, bool]]:
    """(line, at module level) of each import of vigie.devtools."""
    found: list[tuple[int, bool]] = []
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        if any(n == "vigie.devtools" or n.startswith("vigie.devtools.") for n in names):
            found.append((node.lineno, id(node) in top))
    return sorted(found)


def test_runtime_modules_do_not_import_devtools() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if _exempt(rel):
            continue
        for line, top_level in _devtools_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if rel.as_posix() in LAZY_DEVTOOLS and not top_level:
                continue
            offenders.append(f"{rel}:{line}")
    assert offenders == [], f"runtime modules importing vigie.devtools: {offenders}"


def test_the_check_sees_an_import() -> None:
    """The scanner finds both forms, at module level and inside a function."""
    tree = ast.parse(
        "from vigie.devtools import case_records\n"
        "def f():\n    import vigie.devtools.transactions\n"
        "from vigie import devtools\n"
    )
    assert _devtools_imports(tree) == [(1, True), (3, False), (4, True)]


def test_no_module_is_named_like_another_app() -> None:
    apps = {app.rsplit(".", 1)[1] for app in settings.VIGIE_APPS}
    clashes = []
    for app in apps:
        for path in (SRC / app).rglob("*.py"):
            rel = path.relative_to(SRC / app)
            if "tests" in rel.parts or "migrations" in rel.parts:
                continue
            names = {path.stem, *rel.parts[:-1]}
            clashes += [f"{app}/{rel}" for other in apps - {app} if other in names]
    assert clashes == [], f"modules named like another app: {clashes}"
