"""Proofs we generate verify, for any size; any flipped bit makes them fail."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outguard.audit.chain import (
    EMPTY_ROOT,
    Frontier,
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

MAX = 1100
LEAVES = [leaf_hash(i.to_bytes(4, "big")) for i in range(MAX)]
TREE = MerkleTree(LEAVES)


def reference_root(hashes: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH, literally."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return node_hash(reference_root(hashes[:k]), reference_root(hashes[k:]))


def flip(data: bytes, bit: int) -> bytes:
    bit %= len(data) * 8
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def test_hash_domain_separation():
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert root([]) == EMPTY_ROOT == MerkleTree().root() == Frontier().root()


@given(st.integers(0, 300))
def test_every_way_of_building_gives_the_rfc_root(size):
    hashes = LEAVES[:size]
    frontier, tree = Frontier(), MerkleTree()
    for h in hashes:
        frontier.append(h)
        tree.append(h)
    expected = reference_root(hashes)
    assert root(hashes) == frontier.root() == tree.root() == expected
    assert TREE.root(size) == expected
    assert frontier.size == tree.size == size


@given(st.lists(st.integers(0, 40), max_size=6))
def test_extend_in_batches_equals_one_batch(batches):
    tree, start = MerkleTree(), 0
    for count in batches:
        tree.extend(LEAVES[start : start + count])
        start += count
    assert tree.root() == TREE.root(start)
    for size in range(start + 1):
        assert tree.root(size) == TREE.root(size)


@st.composite
def index_and_size(draw):
    size = draw(st.integers(1, MAX))
    return draw(st.integers(0, size - 1)), size


@settings(max_examples=200)
@given(index_and_size(), st.integers(0, 1 << 16))
def test_inclusion_proofs_verify_and_any_flip_fails(case, bit):
    index, size = case
    proof = TREE.inclusion_proof(index, size)
    head = TREE.root(size)
    leaf = LEAVES[index]
    assert verify_inclusion(leaf, index, size, proof, head)
    assert not verify_inclusion(flip(leaf, bit), index, size, proof, head)
    assert not verify_inclusion(leaf, index, size, proof, flip(head, bit))
    for i in range(len(proof)):
        bad = [*proof[:i], flip(proof[i], bit), *proof[i + 1 :]]
        assert not verify_inclusion(leaf, index, size, bad, head)
    assert not verify_inclusion(
        leaf, index, size, [*proof, proof[0] if proof else leaf], head
    )
    if proof:
        assert not verify_inclusion(leaf, index, size, proof[:-1], head)
    assert not verify_inclusion(leaf, index ^ 1, size, proof, head) or size == 1


@st.composite
def two_sizes(draw):
    n = draw(st.integers(1, MAX))
    return draw(st.integers(1, n)), n


@settings(max_examples=200)
@given(two_sizes(), st.integers(0, 1 << 16))
def test_consistency_proofs_verify_and_any_flip_fails(sizes, bit):
    m, n = sizes
    proof = TREE.consistency_proof(m, n)
    old, new = TREE.root(m), TREE.root(n)
    assert verify_consistency(m, n, old, new, proof)
    assert not verify_consistency(m, n, flip(old, bit), new, proof)
    assert not verify_consistency(m, n, old, flip(new, bit), proof)
    for i in range(len(proof)):
        bad = [*proof[:i], flip(proof[i], bit), *proof[i + 1 :]]
        assert not verify_consistency(m, n, old, new, bad)
    assert not verify_consistency(m, n, old, new, [*proof, old])
    if m < n:
        assert not verify_consistency(m, n, old, new, proof[:-1])
        assert not verify_consistency(n, m, new, old, proof)


def test_one_shot_helpers_match_the_memoised_tree():
    assert inclusion_proof(5, 13, LEAVES) == TREE.inclusion_proof(5, 13)
    assert consistency_proof(5, 13, LEAVES) == TREE.consistency_proof(5, 13)
    assert TREE.consistency_proof(0, 13) == TREE.consistency_proof(13, 13) == []


def test_sizes_that_are_always_consistent():
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(7, 7, TREE.root(7), TREE.root(7), [])
    # From the empty tree a "proof" proves nothing: rejected so callers notice.
    assert not verify_consistency(0, 7, EMPTY_ROOT, TREE.root(7), [])


@pytest.mark.parametrize(("index", "size"), [(-1, 4), (4, 4), (0, 0), (0, MAX + 1)])
def test_inclusion_proof_arguments_out_of_range(index, size):
    with pytest.raises(ValueError, match="out of range"):
        TREE.inclusion_proof(index, size)


@pytest.mark.parametrize(("m", "n"), [(-1, 4), (5, 4), (1, MAX + 1)])
def test_consistency_proof_arguments_out_of_range(m, n):
    with pytest.raises(ValueError, match="out of range"):
        TREE.consistency_proof(m, n)


def test_root_size_out_of_range():
    with pytest.raises(ValueError, match="out of range"):
        TREE.root(MAX + 1)
    with pytest.raises(ValueError, match="out of range"):
        TREE.root(-1)


def test_leaves_must_be_hashes():
    with pytest.raises(ValueError, match="32 bytes"):
        MerkleTree([b"short"])


def test_verifiers_never_raise_on_junk():
    head, proof = TREE.root(8), TREE.inclusion_proof(3, 8)
    assert not verify_inclusion(LEAVES[3], 3, 8, [*proof[:-1], "x" * 32], head)  # type: ignore[list-item]
    assert not verify_inclusion(LEAVES[3][:31], 3, 8, proof, head)
    assert not verify_inclusion(LEAVES[3], -1, 8, proof, head)
    cproof = TREE.consistency_proof(3, 8)
    assert not verify_consistency(3, 8, TREE.root(3), head, [b"x", *cproof[1:]])
    assert not verify_consistency(-1, 8, TREE.root(3), head, cproof)


@given(st.integers(0, 6), st.integers(0, 5), st.data())
@settings(max_examples=150, deadline=None)
def test_a_chunk_grafted_where_it_aligns_equals_extending(k, chunks, data):
    """A worker's chunk of 2^k leaves (the last one shorter) grafts onto the tree so far."""
    span = 1 << k
    n = chunks * span + data.draw(st.integers(0, span))
    hashes = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(n)]
    whole = Frontier()
    whole.extend(hashes)
    grafted = Frontier()
    for lo in range(0, n, span):
        part = Frontier()
        part.extend(hashes[lo : lo + span])
        grafted = grafted.graft(part)
    assert (grafted.size, grafted.root()) == (whole.size, whole.root())
    assert grafted.to_bytes() == whole.to_bytes()


def test_a_graft_that_does_not_align_is_refused():
    three, two = Frontier(), Frontier()
    three.extend([bytes(32)] * 3)
    two.extend([bytes(32)] * 2)
    with pytest.raises(ValueError, match="align"):
        three.graft(two)
    assert three.graft(Frontier()).size == 3
