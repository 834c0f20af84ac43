"""A Merkle tree in the manner of RFC 9162 (Certificate Transparency 2.0), section 2.1.

Leaf hash = SHA-256(0x00 || data), node hash = SHA-256(0x01 || left || right); the tree of
``n`` leaves splits at the largest power of two below ``n``. Inclusion and consistency proofs
are generated and checked exactly as RFC 9162 sections 2.1.3 and 2.1.4 describe.

:class:`Tree` keeps every level of complete subtrees, so a proof in a tree of a million
leaves costs O(log n) hash look-ups. :class:`Frontier` is the compact right edge used to
append to the log and compute its root in O(log n) without reading the old leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from vigie.core.errors import Invalid

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class ProofError(Invalid, ValueError):
    """A proof was asked for indexes or sizes outside the tree."""

    default_code = "proof_out_of_range"


class Tree:
    """Leaf hashes plus the hashes of every complete, aligned subtree."""

    def __init__(self, leaves: Sequence[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        self._build()

    def _build(self) -> None:
        height = 0
        while len(self.levels[height]) >= 2:
            below = self.levels[height]
            if height + 1 == len(self.levels):
                self.levels.append([])
            above = self.levels[height + 1]
            for i in range(len(above), len(below) // 2):
                above.append(node_hash(below[2 * i], below[2 * i + 1]))
            height += 1

    def append(self, leaf: bytes) -> None:
        self.levels[0].append(leaf)
        self._build()

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def subtree(self, start: int, size: int) -> bytes:
        """MTH of leaves ``[start, start + size)``."""
        if size == 0:
            return EMPTY_ROOT
        if size & (size - 1) == 0 and start % size == 0:
            height = size.bit_length() - 1
            return self.levels[height][start >> height]
        k = _split(size)
        return node_hash(self.subtree(start, k), self.subtree(start + k, size - k))

    def root(self, size: int | None = None) -> bytes:
        n = self.size if size is None else size
        if n > self.size or n < 0:
            raise ProofError(f"tree size {n} is larger than the log ({self.size} entries)")
        return self.subtree(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 2.1.3.1 PATH(index, D[0:size])."""
        n = self.size if size is None else size
        if not 0 <= index < n or n > self.size:
            raise ProofError(f"no entry {index} in a tree of {n} entries")
        path: list[bytes] = []
        start = 0
        while n > 1:
            k = _split(n)
            if index < k:
                path.append(self.subtree(start + k, n - k))
                n = k
            else:
                path.append(self.subtree(start, k))
                start, index, n = start + k, index - k, n - k
        path.reverse()
        return path

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """RFC 9162 2.1.4.1 PROOF(first, D[0:second])."""
        n = self.size if second is None else second
        if not 0 < first <= n or n > self.size:
            raise ProofError(f"no consistency proof from size {first} to size {n}")
        proof: list[bytes] = []
        start, m, complete = 0, first, True
        while m != n:
            k = _split(n)
            if m <= k:
                proof.append(self.subtree(start + k, n - k))
                n = k
            else:
                proof.append(self.subtree(start, k))
                start, m, n, complete = start + k, m - k, n - k, False
        if not complete:
            proof.append(self.subtree(start, m))
        proof.reverse()
        return proof


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2."""
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> bool:
    """RFC 9162 2.1.4.2."""
    if first <= 0 or first > second:
        return False
    if first == second:
        return len(proof) == 0 and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


class Frontier:
    """The right edge of the tree: one (height, hash) per complete subtree, largest first."""

    def __init__(self, nodes: Sequence[tuple[int, bytes]] = ()) -> None:
        self.nodes: list[tuple[int, bytes]] = list(nodes)

    @property
    def size(self) -> int:
        return sum(1 << h for h, _ in self.nodes)

    def append(self, leaf: bytes) -> None:
        self.nodes.append((0, leaf))
        while len(self.nodes) >= 2 and self.nodes[-1][0] == self.nodes[-2][0]:
            (h, right), (_, left) = self.nodes.pop(), self.nodes.pop()
            self.nodes.append((h + 1, node_hash(left, right)))

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY_ROOT
        r = self.nodes[-1][1]
        for _, h in reversed(self.nodes[:-1]):
            r = node_hash(h, r)
        return r

    def to_json(self) -> list[list[object]]:
        return [[h, x.hex()] for h, x in self.nodes]

    @classmethod
    def from_json(cls, data: Sequence[Sequence[object]]) -> Frontier:
        return cls([(int(str(h)), bytes.fromhex(str(x))) for h, x in data])
