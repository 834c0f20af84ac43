"""RFC 9162 Merkle tree: published test vectors, an independent reference, and proofs."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.evidence import merkle

# The leaves and roots of the Certificate Transparency reference test suite
# (certificate-transparency merkle_tree_test): roots of the first n leaves.
VECTOR_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
VECTOR_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def reference_root(data: list[bytes]) -> bytes:
    """RFC 9162 2.1.1 MTH, written independently and recursively over the raw data."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < len(data):
        k *= 2
    return hashlib.sha256(b"\x01" + reference_root(data[:k]) + reference_root(data[k:])).digest()


def test_published_vectors() -> None:
    tree = merkle.Tree([merkle.leaf_hash(x) for x in VECTOR_LEAVES])
    frontier = merkle.Frontier()
    for n, leaf in enumerate(VECTOR_LEAVES, 1):
        frontier.append(merkle.leaf_hash(leaf))
        assert tree.root(n).hex() == VECTOR_ROOTS[n - 1]
        assert frontier.root().hex() == VECTOR_ROOTS[n - 1]
        assert reference_root(VECTOR_LEAVES[:n]).hex() == VECTOR_ROOTS[n - 1]
    assert merkle.Tree().root().hex() == hashlib.sha256(b"").hexdigest()


def test_published_inclusion_proof() -> None:
    # RFC 6962/9162 reference suite: leaf 0 of 8 has this audit path.
    tree = merkle.Tree([merkle.leaf_hash(x) for x in VECTOR_LEAVES])
    path = [h.hex() for h in tree.inclusion_proof(0, 8)]
    assert path == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]


leaves_st = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


@settings(max_examples=60, deadline=None)
@given(leaves_st)
def test_roots_match_reference(data: list[bytes]) -> None:
    hashes = [merkle.leaf_hash(x) for x in data]
    tree = merkle.Tree(hashes)
    frontier = merkle.Frontier()
    incremental = merkle.Tree()
    for n, h in enumerate(hashes, 1):
        frontier.append(h)
        incremental.append(h)
        assert frontier.size == n
        assert frontier.root() == reference_root(data[:n]) == tree.root(n) == incremental.root()
    again = merkle.Frontier.from_json(frontier.to_json())
    assert again.root() == frontier.root()


@settings(max_examples=60, deadline=None)
@given(leaves_st, st.data())
def test_inclusion_proofs(data: list[bytes], draw: st.DataObject) -> None:
    tree = merkle.Tree([merkle.leaf_hash(x) for x in data])
    size = draw.draw(st.integers(1, len(data)))
    index = draw.draw(st.integers(0, size - 1))
    root = tree.root(size)
    leaf = merkle.leaf_hash(data[index])
    proof = tree.inclusion_proof(index, size)
    assert merkle.verify_inclusion(leaf, index, size, proof, root)
    # Any other leaf, index, size, root, or altered proof is refused.
    assert not merkle.verify_inclusion(
        merkle.leaf_hash(data[index] + b"x"), index, size, proof, root
    )
    if size > 1:
        other = (index + 1) % size
        if merkle.leaf_hash(data[other]) != leaf:
            assert not merkle.verify_inclusion(leaf, other, size, proof, root)
        flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        assert not merkle.verify_inclusion(leaf, index, size, flipped, root)
        assert not merkle.verify_inclusion(leaf, index, size, proof[:-1], root)
    assert not merkle.verify_inclusion(leaf, index, size, proof, hashlib.sha256(root).digest())
    assert not merkle.verify_inclusion(leaf, size, size, proof, root)


@settings(max_examples=60, deadline=None)
@given(leaves_st, st.data())
def test_consistency_proofs(data: list[bytes], draw: st.DataObject) -> None:
    tree = merkle.Tree([merkle.leaf_hash(x) for x in data])
    second = draw.draw(st.integers(1, len(data)))
    first = draw.draw(st.integers(1, second))
    r1, r2 = tree.root(first), tree.root(second)
    proof = tree.consistency_proof(first, second)
    assert merkle.verify_consistency(first, second, proof, r1, r2)
    if first < second:
        assert not merkle.verify_consistency(first, second, proof, r2, r2)
        bad = hashlib.sha256(b"bad").digest()
        assert not merkle.verify_consistency(first, second, proof, r1, bad)
        if proof:
            flipped = [*proof[:-1], bytes([proof[-1][0] ^ 1]) + proof[-1][1:]]
            assert not merkle.verify_consistency(first, second, flipped, r1, r2)
        # A tree whose old part was rewritten is not consistent with the old root.
        changed = [merkle.leaf_hash(x) for x in data]
        changed[first - 1] = merkle.leaf_hash(data[first - 1] + b"!")
        forged = merkle.Tree(changed)
        fproof = forged.consistency_proof(first, second)
        assert not merkle.verify_consistency(first, second, fproof, r1, forged.root(second))


def test_consistency_known_sizes() -> None:
    tree = merkle.Tree([merkle.leaf_hash(x) for x in VECTOR_LEAVES])
    for first in range(1, 9):
        for second in range(first, 9):
            proof = tree.consistency_proof(first, second)
            assert merkle.verify_consistency(
                first,
                second,
                proof,
                bytes.fromhex(VECTOR_ROOTS[first - 1]),
                bytes.fromhex(VECTOR_ROOTS[second - 1]),
            )
