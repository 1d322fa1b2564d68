"""Signed checkpoints: the log's origin, size and root at a moment, signed with Ed25519.

A checkpoint is a C2SP signed note (https://c2sp.org/signed-note) whose text
is a C2SP checkpoint (https://c2sp.org/tlog-checkpoint), the format Go's
transparency tools (``golang.org/x/mod/sumdb/note``, Tessera, Sigstore) read::

    tracker.example.org/ledger
    4123
    <the root, base64>
    time 2026-12-06T20:00:00Z

    — tracker.example.org/ledger <base64 of key hash (4 bytes) and signature (64)>

The signature covers the text above the blank line. The key is given as Go's
``note`` tools write keys: ``PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>``
(setting ``LEDGER_SIGNING_KEY``, or a file named by ``LEDGER_SIGNING_KEY_FILE``);
the public half is served at ``/ledger/key`` as ``<name>+<hash>+<base64(0x01 || key)>``.
The key's name is the log's origin.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from tracker.ledger import log
from tracker.models import LedgerCheckpoint

ED25519 = b"\x01"


class NoSigningKey(ImproperlyConfigured):
    """No key is configured, so no checkpoint can be signed."""


def origin() -> str:
    return settings.LEDGER_ORIGIN


def key_hash(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


@dataclass(frozen=True)
class SigningKey:
    name: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def verifier_key(self) -> str:
        """The public key as Go's ``note.NewVerifier`` reads it."""
        hash_hex = key_hash(self.name, self.public).hex()
        return f"{self.name}+{hash_hex}+{base64.b64encode(ED25519 + self.public).decode()}"

    def sign(self, text: str) -> str:
        """The note: ``text`` and a signature line by this key."""
        signature = self.private.sign(text.encode())
        blob = base64.b64encode(key_hash(self.name, self.public) + signature).decode()
        return f"{text}\n\u2014 {self.name} {blob}\n"


def new_key_text(name: str) -> str:
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    encoded = base64.b64encode(ED25519 + seed).decode()
    return f"PRIVATE+KEY+{name}+{key_hash(name, public).hex()}+{encoded}"


def parse_key(text: str) -> SigningKey:
    """Read a ``PRIVATE+KEY+name+hash+key`` text; ``ImproperlyConfigured`` when it is not one."""
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise ImproperlyConfigured("LEDGER_SIGNING_KEY is not a PRIVATE+KEY+name+hash+key text.")
    name, hash_hex, encoded = parts[2:]
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("LEDGER_SIGNING_KEY's key is not base64.") from exc
    if len(raw) != 33 or raw[:1] != ED25519:
        raise ImproperlyConfigured("LEDGER_SIGNING_KEY is not an Ed25519 key.")
    key = SigningKey(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if key_hash(name, key.public).hex() != hash_hex:
        raise ImproperlyConfigured("LEDGER_SIGNING_KEY's hash does not match its key.")
    return key


@cache
def _key_from(text: str) -> SigningKey:
    return parse_key(text)


def signing_key() -> SigningKey:
    text = settings.LEDGER_SIGNING_KEY
    if not text and settings.LEDGER_SIGNING_KEY_FILE:
        path = Path(settings.LEDGER_SIGNING_KEY_FILE)
        if path.exists():
            text = path.read_text()
    if not text:
        raise NoSigningKey(
            "Set LEDGER_SIGNING_KEY (or LEDGER_SIGNING_KEY_FILE) to sign the log's checkpoints; "
            "`manage.py ledger_key` makes one."
        )
    return _key_from(text.strip())


def has_key() -> bool:
    try:
        signing_key()
    except ImproperlyConfigured:
        return False
    return True


def checkpoint_text(size: int, root: bytes, at: dt.datetime) -> str:
    when = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{origin()}\n{size}\n{base64.b64encode(root).decode()}\ntime {when}\n"


@transaction.atomic
def sign(*, force: bool = False) -> LedgerCheckpoint:
    """Sign the log as it is now, unless the latest checkpoint already covers it.

    The head row is locked, so the size and root signed are one state of the log.
    """
    key = signing_key()
    log.head(for_update=True)
    size, root = log.head_root()
    latest = LedgerCheckpoint.objects.first()
    if latest is not None and latest.size == size and not force:
        return latest
    at = timezone.now()
    note = key.sign(checkpoint_text(size, root, at))
    if latest is not None and latest.size == size:
        latest.signed_at, latest.note = at, note
        latest.save(update_fields=["signed_at", "note"])
        return latest
    return LedgerCheckpoint.objects.create(size=size, root=root, signed_at=at, note=note)


def latest() -> LedgerCheckpoint | None:
    return LedgerCheckpoint.objects.first()


def covering(index: int) -> LedgerCheckpoint | None:
    """The first checkpoint that includes entry ``index``."""
    return LedgerCheckpoint.objects.filter(size__gt=index).order_by("size").first()


def signed_by(moment: dt.datetime) -> LedgerCheckpoint | None:
    """The last checkpoint signed at or before ``moment``: what a past day's pages name."""
    return LedgerCheckpoint.objects.filter(signed_at__lte=moment).first()
