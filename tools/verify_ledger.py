#!/usr/bin/env python3
"""Check a Ceasefire Commitment Tracker's public log from outside, trusting nothing it says.

    python3 verify_ledger.py https://tracker.example.org --save checkpoint.json
    python3 verify_ledger.py https://tracker.example.org --since checkpoint.json \
        --save checkpoint.json

Needs Python 3.11 and the ``cryptography`` package, nothing else. It

1. checks the site's latest checkpoint is signed by the site's key (or, with ``--since``,
   by the key saved with the earlier checkpoint);
2. reads every entry, checks each entry's text against its hash, and recomputes the Merkle
   root (RFC 6962), which must be the signed one;
3. with ``--since``, proves the log now extends the checkpoint saved then: the same root for
   the old size, from the entries and from the site's consistency proof (RFC 9162);
4. reads the public API and checks that each record it shows is exactly its latest entry,
   and that every record the log holds as public is shown.

It prints what it checked, and exits 1 naming each mismatch (2 when the site cannot be
read). ``--save`` keeps the checkpoint (with the key) only when every check passed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

API_LISTS = {"agreement": "/api/agreements/", "reading": "/api/readings/", "claim": "/api/events/"}
KINDS = ("agreement", "commitment", "reading", "claim")
TIMEOUT = 30


class Unreadable(Exception):
    """The site did not answer as the log's protocol says."""


# Merkle tree (RFC 6962 / RFC 9162), as in the tracker's own tracker/ledger/merkle.py ------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """Roots of a growing tree, in O(log n) memory: the roots of its perfect subtrees."""

    def __init__(self) -> None:
        self.size, self.nodes = 0, []  # nodes[level] or None

    def append(self, leaf: bytes) -> None:
        carry, level = leaf, 0
        while self.size >> level & 1:
            carry, self.nodes[level] = node_hash(self.nodes[level], carry), None
            level += 1
        if level == len(self.nodes):
            self.nodes.append(None)
        self.nodes[level] = carry
        self.size += 1

    def root(self) -> bytes:
        root = None
        for node in self.nodes:
            if node is not None:
                root = node if root is None else node_hash(node, root)
        return root or hashlib.sha256(b"").digest()


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof) -> bool:
    """RFC 9162, 2.1.4.2."""
    if old == new:
        return not proof and hmac.compare_digest(old_root, new_root)
    if not 0 < old < new or not proof:
        return False
    if old & (old - 1) == 0:
        proof = [old_root, *proof]
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, new_root)


# Signed notes (C2SP signed-note, Ed25519) ------------------------------------------------------


def parse_key(text: str) -> tuple[str, bytes, bytes]:
    """``name+hash+base64(0x01 || key)`` → (name, key hash, public key)."""
    try:
        name, hash_hex, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
        key_id = bytes.fromhex(hash_hex)
    except ValueError as exc:
        raise Unreadable(f"the key is not a note verifier key: {text.strip()[:80]!r}") from exc
    if len(raw) != 33 or raw[0] != 1 or len(key_id) != 4:
        raise Unreadable("the key is not an Ed25519 note key")
    expected = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if expected != key_id:
        raise Unreadable("the key's hash does not match the key")
    return name, key_id, raw[1:]


def open_note(note: str, key_text: str) -> str:
    """The note's text if a signature in it is the key's; ``ValueError`` naming why not."""
    name, key_id, public = parse_key(key_text)
    text, sep, signatures = note.rpartition("\n\n")
    if not sep:
        raise ValueError("the checkpoint is not a signed note (no blank line before signatures)")
    text += "\n"
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or parts[1] != name:
            continue
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except ValueError:
            continue
        if blob[:4] != key_id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode())
        except InvalidSignature as exc:
            raise ValueError(
                f"the signature by {name} does not verify: the note was altered"
            ) from exc
        return text
    raise ValueError(f"the checkpoint carries no signature by the key {name}+{key_id.hex()}")


def parse_checkpoint(text: str) -> dict:
    lines = text.rstrip("\n").split("\n")
    if len(lines) < 3 or not lines[1].isdigit():
        raise ValueError("the checkpoint's text is not origin, size and root")
    root = base64.b64decode(lines[2], validate=True)
    if len(root) != 32:
        raise ValueError("the checkpoint's root is not a SHA-256 hash")
    return {"origin": lines[0], "size": int(lines[1]), "root": root, "extra": lines[3:]}


# Reading the site ------------------------------------------------------------------------------


def http_fetch(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": "application/json, text/plain"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise Unreadable(f"{url}: {exc}") from exc


class Site:
    def __init__(self, base: str, fetch: Callable[[str], tuple[int, bytes]]) -> None:
        self.base, self.fetch = base.rstrip("/"), fetch

    def get(self, path: str) -> bytes:
        status, body = self.fetch(self.base + path)
        if status != 200:
            raise Unreadable(f"{path} answered {status}: {body[:200].decode(errors='replace')}")
        return body

    def json(self, path: str):
        try:
            return json.loads(self.get(path))
        except ValueError as exc:
            raise Unreadable(f"{path} did not answer JSON") from exc


def without_page(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "page"}


def api_records(site: Site) -> dict[tuple[str, int], dict]:
    """Every record the public API shows now, by (kind, id)."""
    shown: dict[tuple[str, int], dict] = {}
    lists = {**API_LISTS, "commitment": "/api/commitments/"}
    for kind, path in lists.items():
        page = 1
        while True:
            data = site.json(f"{path}?page_size=200&page={page}")
            for record in data["results"]:
                if kind == "commitment":  # the detail, with readings and status history
                    record = site.json(f"/api/commitments/{record['slug']}/")
                shown[(kind, record["id"])] = without_page(record)
            if not data.get("next"):
                break
            page += 1
    return shown


# The checks ------------------------------------------------------------------------------------


def verify(base, since=None, save=None, key=None, fetch=http_fetch, say=print) -> list[str]:
    """Run every check; return the mismatches found (empty when all is well)."""
    site = Site(base, fetch)
    problems: list[str] = []

    def problem(text: str) -> None:
        problems.append(text)
        say(f"MISMATCH: {text}")

    saved = None
    if since:
        with open(since, encoding="utf-8") as file:
            saved = json.load(file)
    served_key = site.get("/ledger/key").decode().strip()
    key = key or (saved["key"] if saved else served_key)
    if served_key != key:
        problem(
            f"the site's key is now {served_key.split('+')[0]}+{served_key.split('+')[1]}, "
            f"not the key {key.split('+')[0]}+{key.split('+')[1]} trusted before"
        )
    note = site.get("/ledger/checkpoint").decode()
    try:
        checkpoint = parse_checkpoint(open_note(note, key))
    except ValueError as exc:
        problem(f"checkpoint: {exc}")
        return problems
    size, root = checkpoint["size"], checkpoint["root"]
    say(f"ok: the checkpoint of {checkpoint['origin']} ({size} entries) is signed by its key")
    if saved and saved["origin"] != checkpoint["origin"]:
        problem(f"the log is now {checkpoint['origin']}, not {saved['origin']}")

    # Every entry: its text against its hash, and the root over them.
    tree, latest, index, log_size = Frontier(), {}, 0, size
    old_root = None
    while index < log_size or index < size:
        data = site.json(f"/ledger/entries?start={index}&end={max(size, log_size)}")
        log_size = max(log_size, data.get("size", 0))
        got = data.get("entries", [])
        if not got or data.get("start") != index:
            problem(f"the entries response from {index} holds no entries from {index}")
            return problems
        for entry in got:
            if entry["index"] != index:
                problem(f"entry {index} is missing or out of order: found entry {entry['index']}")
                return problems
            text = entry["leaf"].encode()
            if base64.b64decode(entry["leaf_hash"]) != leaf_hash(text):
                problem(f"entry {index}: its text does not match its hash (it was edited)")
            tree.append(leaf_hash(text))
            if saved and tree.size == saved["size"]:
                old_root = tree.root()
            if tree.size == size and not hmac.compare_digest(tree.root(), root):
                problem(
                    f"the root recomputed from entries 0 to {size - 1} is not the signed root: "
                    "an entry was edited, removed, added or moved"
                )
            value = json.loads(text)
            latest[(value["kind"], value["id"])] = (index, value["record"])
            index += 1
        if data.get("end") != index:
            problem(
                f"the entries response was truncated: it says {data.get('start')} to "
                f"{data.get('end')} but holds {len(got)} entries"
            )
            return problems
    if not problems:
        say(f"ok: {size} entries recomputed to the signed root")
    if log_size > size:
        say(f"ok: {log_size - size} newer entries read, not yet in a checkpoint")

    # The log extends the checkpoint saved before.
    if saved:
        old_size, saved_root = saved["size"], base64.b64decode(saved["root"])
        if size < old_size:
            problem(f"the log shrank: {size} entries now, {old_size} in the saved checkpoint")
        elif size == old_size and saved_root != root:
            problem(f"two different roots for size {size}: the log has forked")
        elif old_size and old_root is not None and old_root != saved_root:
            problem(
                f"the first {old_size} entries no longer make the saved root: "
                "the log was rewritten since the saved checkpoint"
            )
        elif old_size and size > old_size:
            proof = site.json(f"/ledger/proof/consistency?old={old_size}&new={size}")["proof"]
            hashes = [base64.b64decode(h) for h in proof]
            if verify_consistency(old_size, size, saved_root, root, hashes):
                say(f"ok: the log of {size} entries extends the saved one of {old_size}")
            else:
                problem(
                    f"the site's proof does not show {size} entries extend the saved {old_size}"
                )
        else:
            say(f"ok: the log is the saved one of {old_size} entries or extends it")

    # What the public API shows now is the latest entry of each record.
    shown = api_records(site)
    for (kind, pk), (index, record) in sorted(latest.items(), key=lambda item: item[1][0]):
        public = shown.pop((kind, pk), None)
        if record is None and public is not None:
            problem(f"{kind} {pk}: shown by the public API, but withdrawn in entry {index}")
        elif record is not None and public is None:
            problem(f"{kind} {pk}: public in entry {index}, but the public API does not show it")
        elif record is not None and public != record:
            fields = sorted(k for k in set(record) | set(public) if record.get(k) != public.get(k))
            problem(
                f"{kind} {pk}: the public API differs from its latest entry, {index} "
                f"(in {', '.join(fields)})"
            )
    for kind, pk in sorted(shown):
        problem(f"{kind} {pk}: shown by the public API but not in the log")
    if not problems:
        say(f"ok: the public API shows {len(latest)} records, each as its latest entry")
        if save:
            record = {
                "origin": checkpoint["origin"],
                "size": size,
                "root": base64.b64encode(root).decode(),
                "key": key,
                "note": note,
            }
            with open(save, "w", encoding="utf-8") as file:
                json.dump(record, file, indent=2)
            say(f"ok: saved the checkpoint to {save}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the site's address, e.g. https://tracker.example.org")
    parser.add_argument("--since", metavar="FILE", help="a checkpoint saved by an earlier run")
    parser.add_argument("--save", metavar="FILE", help="keep this checkpoint when all is well")
    parser.add_argument("--key", help="trust this key (name+hash+key) rather than the site's")
    args = parser.parse_args(argv)
    try:
        problems = verify(args.url, since=args.since, save=args.save, key=args.key)
    except (Unreadable, KeyError, ValueError, OSError) as exc:
        print(f"UNREADABLE: {exc}", file=sys.stderr)
        return 2
    if problems:
        print(f"{len(problems)} mismatch(es) found.", file=sys.stderr)
        return 1
    print("All checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
