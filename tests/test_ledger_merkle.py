"""The Merkle tree answers as RFC 6962 says, on its own test vectors and on any size."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.ledger import merkle
from tracker.ledger.merkle import MemoryTree, ProofError

# The reference inputs and answers of RFC 6962's reference implementation
# (certificate-transparency, reused by Trillian and Go's transparency-dev/merkle).
INPUTS = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657"]
    + ["606162636465666768696a6b6c6d6e6f"]
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def reference_tree():
    tree = MemoryTree()
    for data in INPUTS:
        tree.append(data)
    return tree


def hexes(hashes):
    return [h.hex() for h in hashes]


def test_every_root_of_the_reference_tree_matches_the_rfc():
    tree = reference_tree()
    assert [tree.root(size).hex() for size in range(9)] == ROOTS


def test_the_empty_tree_has_the_hash_of_nothing():
    assert MemoryTree().root().hex() == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_rfc_and_verify(index, size, proof):
    tree = reference_tree()
    made = merkle.inclusion_proof(tree, index, size)
    assert hexes(made) == proof
    leaf = merkle.leaf_hash(INPUTS[index])
    merkle.verify_inclusion(index, size, leaf, made, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_rfc_and_verify(old, new, proof):
    tree = reference_tree()
    made = merkle.consistency_proof(tree, old, new)
    assert hexes(made) == proof
    merkle.verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), made)


def test_an_inclusion_proof_for_another_leaf_is_refused():
    tree = reference_tree()
    proof = merkle.inclusion_proof(tree, 5, 8)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(4, 8, merkle.leaf_hash(INPUTS[5]), proof, tree.root())


def test_a_tampered_consistency_proof_is_refused():
    tree = reference_tree()
    proof = merkle.consistency_proof(tree, 6, 8)
    proof[1] = bytes(32)
    with pytest.raises(ProofError):
        merkle.verify_consistency(6, 8, tree.root(6), tree.root(8), proof)


def test_two_roots_for_one_size_are_a_fork():
    with pytest.raises(ProofError, match="forked"):
        merkle.verify_consistency(5, 5, bytes(32), bytes([1]) * 32, [])


def test_a_tree_that_rewrote_its_past_fails_consistency():
    tree, other = MemoryTree(), MemoryTree()
    for i in range(10):
        tree.append(b"%d" % i)
        other.append(b"%d" % (i if i != 3 else 99))
    proof = merkle.consistency_proof(other, 6, 10)
    with pytest.raises(ProofError):
        merkle.verify_consistency(6, 10, tree.root(6), other.root(10), proof)


def test_proofs_for_sizes_the_tree_cannot_prove_are_refused():
    tree = reference_tree()
    with pytest.raises(ProofError):
        merkle.inclusion_proof(tree, 8, 8)
    with pytest.raises(ProofError):
        merkle.consistency_proof(tree, 0, 8)
    with pytest.raises(ProofError):
        merkle.consistency_proof(tree, 5, 4)


def plain_root(leaves: list[bytes]) -> bytes:
    """MTH exactly as RFC 6962 defines it, recursively over the data."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return merkle.leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(plain_root(leaves[:k]), plain_root(leaves[k:]))


@given(st.lists(st.binary(max_size=4), min_size=1, max_size=70), st.data())
def test_any_tree_proves_its_leaves_and_its_growth(leaves, data):
    tree = MemoryTree()
    for leaf in leaves:
        tree.append(leaf)
    size = len(leaves)
    assert tree.root() == plain_root(leaves)
    index = data.draw(st.integers(0, size - 1))
    proof = merkle.inclusion_proof(tree, index, size)
    merkle.verify_inclusion(index, size, merkle.leaf_hash(leaves[index]), proof, tree.root())
    old = data.draw(st.integers(1, size))
    proof = merkle.consistency_proof(tree, old, size)
    merkle.verify_consistency(old, size, plain_root(leaves[:old]), tree.root(), proof)


def test_appending_writes_about_two_nodes_a_leaf():
    tree = MemoryTree()
    for i in range(1024):
        tree.append(b"%d" % i)
    assert sum(len(level) for level in tree.levels) == 2 * 1024 - 1


def test_the_bench_writes_entries_as_the_log_does():
    import datetime as dt
    import json

    from bench.ledger import AT
    from tracker.ledger import log

    record = {"id": 7, "slug": "claim-7", "summary": "Shelling reported"}
    at = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
    fast = json.dumps(
        {"at": AT, "change": "published", "id": 7, "kind": "claim", "record": record},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    assert fast == log.leaf_text("claim", 7, "published", at, record)
