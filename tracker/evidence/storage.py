"""Writing evidence so that what the database says is kept is really kept.

Every copy goes through Django's storage API (``STORAGES["evidence"]``: the local
disk, or an S3-compatible store), in three steps: write the bytes, read them back and
check their SHA-256, and only then let the caller record them. A store that fails or
garbles the bytes halfway raises ``StorageFailed`` and leaves nothing behind that a
row points to. Copies are named by their hash, so writing the same bytes twice (a
retry after a crash between writing and recording) costs nothing and duplicates
nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import storages

CHUNK = 1 << 16


class StorageFailed(Exception):
    """The evidence store did not keep the bytes as given."""


def evidence_storage():
    return storages["evidence"]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_hash(name: str) -> str:
    digest = hashlib.sha256()
    with evidence_storage().open(name, "rb") as stored:
        while chunk := stored.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def content_name(folder: str, sha256: str, suffix: str = "") -> str:
    return f"{folder}/{sha256[:2]}/{sha256}{suffix}"


def write_verified(name: str, data: bytes, sha256: str | None = None) -> tuple[str, str]:
    """Write ``data`` under ``name``, read it back, check its hash; return (name, sha256).

    When the store already holds these very bytes under that name, they are kept as they
    are. On any failure the half-written file is removed (as far as the store lets us)
    and ``StorageFailed`` says why.
    """
    sha256 = sha256 or sha256_of(data)
    storage = evidence_storage()
    try:
        if storage.exists(name) and stored_hash(name) == sha256:
            return name, sha256
        if storage.exists(name):
            storage.delete(name)  # a half-written file left by an earlier failure
        saved = storage.save(name, ContentFile(data))
    except Exception as exc:
        remove_quietly(name)
        raise StorageFailed(f"The evidence store could not write the copy: {exc}") from exc
    try:
        read_back = stored_hash(saved)
    except Exception as exc:
        remove_quietly(saved)
        raise StorageFailed(f"The evidence store could not read the copy back: {exc}") from exc
    if read_back != sha256:
        remove_quietly(saved)
        raise StorageFailed(
            "The evidence store kept different bytes from those written "
            f"(SHA-256 {read_back[:12]}… instead of {sha256[:12]}…); nothing was recorded."
        )
    return saved, sha256


def remove_quietly(name: str) -> None:
    # The store is failing already; the caller reports that.
    with contextlib.suppress(Exception):
        evidence_storage().delete(name)


def read(name: str) -> bytes:
    with evidence_storage().open(name, "rb") as stored:
        return stored.read()


def open_stream(name: str) -> io.BufferedIOBase:
    return evidence_storage().open(name, "rb")
