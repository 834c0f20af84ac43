"""The custody log as a source of witnessed checkpoints (:mod:`vigie.core.witness`).

A custody checkpoint is the tree size and root, plus the RFC 9162 (section 2.1.4)
consistency proof from the size of the newest checkpoint the witness already holds: each
witness line then proves on its own that the log only grew. :func:`check_against` checks
the vault's log (leaves recomputed from their content) against the newest witnessed one.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from vigie.core.witness import Checkpoint, Source, WitnessError, grows, register
from vigie.evidence import log, merkle
from vigie.evidence.models import LogState


def _build(previous: Checkpoint | None) -> Checkpoint | None:
    state = LogState.objects.filter(pk=1).first()
    if state is None or state.size == 0:
        return None
    tree = log.load_tree(state.size)
    if tree.size != state.size or tree.root() != merkle.Frontier.from_json(state.frontier).root():
        # Never anchor a log whose entries and head disagree: that is for verify to explain.
        raise WitnessError(
            _(
                "the custody log's entries do not give its recorded head: run `vigie evidence "
                "verify --all` before witnessing it."
            )
        )
    cp = Checkpoint(log="custody", size=state.size, head=tree.root().hex(), timestamp=0)
    if previous is not None and 0 < previous.size <= state.size:
        cp.previous_size = previous.size
        cp.proof = log.consistency(tree, previous.size, state.size)
    return cp


def _follows(a: Checkpoint, b: Checkpoint) -> str | None:
    problem = grows(a, b)
    if problem or b.previous_size != a.size:
        return problem  # a proof from elsewhere (another witness's line) is not checked here
    ok = merkle.verify_consistency(
        a.size,
        b.size,
        [bytes.fromhex(h) for h in b.proof],
        bytes.fromhex(a.head),
        bytes.fromhex(b.head),
    )
    if not ok:
        return (
            f"its RFC 9162 consistency proof from the checkpoint of size {a.size} does not "
            "verify: the log was rewritten between the two, or the witness line was altered"
        )
    return None


def register_source() -> None:
    register(Source("custody", _build, _follows))


def check_against(last: Checkpoint, tree: merkle.Tree) -> str | None:
    """A problem if ``tree`` (recomputed from the vault) is not an extension of the witnessed
    tree head ``last``: the RFC 9162 consistency proof from it must verify."""
    if tree.size < last.size:
        return (
            f"truncated: the witness saw {last.size} entries on {last.when()}, the log has "
            f"{tree.size}: entries were removed"
        )
    proof = tree.consistency_proof(last.size, tree.size)
    if not merkle.verify_consistency(
        last.size, tree.size, proof, bytes.fromhex(last.head), tree.root()
    ):
        return (
            f"rewritten: the RFC 9162 consistency proof from the tree head witnessed on "
            f"{last.when()} (size {last.size}) to the log (size {tree.size}) does not verify: "
            f"entries among the first {last.size} were changed, removed or reordered"
        )
    return None
