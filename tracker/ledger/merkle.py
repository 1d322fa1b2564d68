"""The Merkle tree of RFC 6962 (and RFC 9162): hashes, roots, proofs and their checks.

Pure Python over ``hashlib``, no Django, so it reads in one sitting and can be
checked against the RFC's test vectors. A leaf is hashed as
``SHA-256(0x00 || data)``, an interior node as ``SHA-256(0x01 || left || right)``,
and the tree over ``n`` leaves splits at the largest power of two below ``n``.

Trees are read through a *store*: any object with ``node(level, index)``
answering the hash of the perfect subtree of ``2**level`` leaves starting at
leaf ``index * 2**level``. Every other subtree hash, the root included, is
combined from at most ``log2(n)`` such nodes, so roots and proofs cost
``O(log n)`` reads however large the log is. ``MemoryTree`` is such a store
in memory; the database keeps the same nodes as rows (``tracker.ledger.log``).

Appending keeps the *frontier*: the roots of the perfect subtrees that make up
the tree now, one per set bit of its size. A new leaf only merges with the
frontier's lowest nodes, so an append writes one leaf and, on average, one
interior node: constant time, whatever the size.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not check out, or was asked for sizes the tree cannot prove."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_hash(store, start: int, end: int) -> bytes:
    """MTH of leaves ``start`` to ``end`` (exclusive), from the store's perfect subtrees."""
    width = end - start
    if width <= 0:
        raise ProofError("An empty range has no subtree hash.")
    if width & (width - 1) == 0 and start % width == 0:
        level = width.bit_length() - 1
        return store.node(level, start >> level)
    k = _split(width)
    return node_hash(subtree_hash(store, start, start + k), subtree_hash(store, start + k, end))


def root(store, size: int) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return subtree_hash(store, 0, size)


def inclusion_proof(store, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 6962, 2.1.1)."""
    if not 0 <= index < size:
        raise ProofError(f"Leaf {index} is not in a tree of {size} leaves.")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(subtree_hash(store, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(store, start, start + k))
            start += k
    return path[::-1]


def consistency_proof(store, old: int, new: int) -> list[bytes]:
    """The proof that the tree of ``new`` leaves extends the one of ``old`` (RFC 6962, 2.1.2)."""
    if not 0 < old <= new:
        raise ProofError(f"No consistency proof from size {old} to size {new}.")
    proof: list[bytes] = []

    def subproof(m: int, start: int, end: int, whole: bool) -> None:
        n = end - start
        if m == n:
            if not whole:
                proof.append(subtree_hash(store, start, end))
            return
        k = _split(n)
        if m <= k:
            subproof(m, start, start + k, whole)
            proof.append(subtree_hash(store, start + k, end))
        else:
            subproof(m - k, start + k, end, False)
            proof.append(subtree_hash(store, start, start + k))

    subproof(old, 0, new, True)
    return proof


# Checking proofs (RFC 9162, 2.1.3.2 and 2.1.4.2) ---------------------------------------


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root a leaf and its audit path imply; ``ProofError`` if the path has the wrong shape."""
    if not 0 <= index < size:
        raise ProofError(f"Leaf {index} is not in a tree of {size} leaves.")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("The inclusion proof is longer than the tree is deep.")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("The inclusion proof is shorter than the tree is deep.")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof, expected_root: bytes) -> None:
    got = root_from_inclusion(index, size, leaf, proof)
    if not hmac.compare_digest(got, expected_root):
        raise ProofError(f"Leaf {index} is not in the tree of {size} leaves with that root.")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof) -> None:
    """Check that the tree (new, new_root) extends (old, old_root); ``ProofError`` if not."""
    if not 0 <= old <= new:
        raise ProofError(f"A tree of {new} leaves cannot extend one of {old}.")
    if old == new:
        if proof:
            raise ProofError("Two trees of one size need an empty consistency proof.")
        if not hmac.compare_digest(old_root, new_root):
            raise ProofError(f"Two different roots for one size, {new}: the log has forked.")
        return
    if old == 0:
        if proof:
            raise ProofError("Any tree extends the empty tree; the proof must be empty.")
        return
    proof = list(proof)
    if not proof:
        raise ProofError("The consistency proof is empty.")
    if old & (old - 1) == 0:  # a power of two: the old root is the proof's first node
        proof = [old_root, *proof]
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise ProofError("The consistency proof is longer than it can be.")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("The consistency proof is shorter than it must be.")
    if not hmac.compare_digest(fr, old_root):
        raise ProofError(f"The proof does not lead to the old root of size {old}.")
    if not hmac.compare_digest(sr, new_root):
        raise ProofError(
            f"The tree of size {new} does not extend the one of size {old}: the log was rewritten."
        )


# Appending -----------------------------------------------------------------------------


def merges(index: int, leaf: bytes, frontier: Sequence[bytes | None]):
    """The interior nodes that appending ``leaf`` as leaf ``index`` completes, and the new frontier.

    ``frontier[level]`` is the root of the perfect subtree of ``2**level``
    leaves in the tree now, or None where the size's bit is clear. Yields
    ``(level, position, hash)`` for each new node (level 0 is the leaf).
    """
    frontier = list(frontier)
    nodes = [(0, index, leaf)]
    carry, level = leaf, 0
    while index >> level & 1:
        carry = node_hash(frontier[level], carry)
        frontier[level] = None
        level += 1
        nodes.append((level, index >> level, carry))
    if level == len(frontier):
        frontier.append(None)
    frontier[level] = carry
    return nodes, frontier


class MemoryTree:
    """A Merkle tree kept in memory, level by level; appending is amortised constant time."""

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]
        self.frontier: list[bytes | None] = []

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, data: bytes) -> int:
        index = self.size
        nodes, self.frontier = merges(index, leaf_hash(data), self.frontier)
        for level, _position, value in nodes:
            if level == len(self.levels):
                self.levels.append([])
            self.levels[level].append(value)
        return index

    def node(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        return root(self, self.size if size is None else size)
