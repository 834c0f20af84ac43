"""Who is acting or reading has a type (ADR 0324), read from the source with ``ast``.

Every parameter that names who acts or reads (``user``, ``actor``, ``by``, ``requested_by``,
``reader``... and any ``*_user``) in a function outside the tests is annotated, and not with
``Any`` or ``object``: services take ``Actor``, reads take ``Viewer`` or ``Reader``
(vigie.core.actor), a stored author ``User | None``.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]  # src/vigie

WHO = frozenset(
    {
        "user",
        "actor",
        "by",
        "requested_by",
        "reader",
        "viewer",
        "requester",
        "acting_user",
        "created_by",
        "decided_by",
        "reviewer",
        "who",
        "operator",
    }
)
UNTYPED = frozenset({"Any", "object", "typing.Any"})


def _names_who(arg: str) -> bool:
    return arg in WHO or arg.endswith("_user")


def _untyped(annotation: ast.expr | None) -> str | None:
    """Why ``annotation`` says nothing of who acts, or None when it does."""
    if annotation is None:
        return "no annotation"
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        annotation = ast.parse(annotation.value, mode="eval").body  # a quoted annotation
    members: list[ast.expr] = []
    stack = [annotation]
    while stack:  # the members of a union (X | Y), each one checked
        node = stack.pop()
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            stack += [node.left, node.right]
        else:
            members.append(node)
    for node in members:
        if ast.unparse(node) in UNTYPED:
            return f"typed {ast.unparse(annotation)}"
    return None


def offenders(source: str) -> list[str]:
    """``function(parameter): why`` for each untyped who-parameter in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        a = node.args
        for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs]:
            if _names_who(arg.arg):
                why = _untyped(arg.annotation)
                if why:
                    found.append(f"{node.name}({arg.arg}) line {node.lineno}: {why}")
    return found


def test_the_check_finds_untyped_who_parameters() -> None:
    source = (
        "def a(user: Any): ...\n"
        "def b(x, *, actor=None): ...\n"
        "def c(requested_by: 'Any | None'): ...\n"
        "def d(owner_user: object): ...\n"
        "def e(user: Viewer, actor: Actor, by: User | None, order_by: Any): ...\n"
    )
    assert [o.split(" line")[0] for o in offenders(source)] == [
        "a(user)",
        "b(actor)",
        "c(requested_by)",
        "d(owner_user)",
    ]


def test_who_parameters_are_typed_outside_the_tests() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        found += [f"{rel}: {o}" for o in offenders(path.read_text(encoding="utf-8"))]
    assert not found, "who acts or reads has no type (ADR 0324):\n" + "\n".join(found)
