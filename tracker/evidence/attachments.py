"""Files from the field: photos, screenshots, PDFs and short videos staff attach to a record.

Each file keeps its original bytes, for staff, and their SHA-256. Its type is read from its
bytes, never taken from its name: a file whose content is not what its name says is
refused. An image's public copy is made again from its pixels with Pillow, so it carries no
metadata (EXIF GPS position, device, dates, embedded thumbnails), and its own SHA-256 is
kept beside the original's, so a reader can check either.
"""

from __future__ import annotations

import io
import warnings
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from tracker.evidence import storage
from tracker.evidence.models import Attachment
from tracker.services import base

# What a file's first bytes say it is, and the names such a file may have.
SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png", Attachment.Kind.IMAGE, {".png"}),
    (b"\xff\xd8\xff", "image/jpeg", Attachment.Kind.IMAGE, {".jpg", ".jpeg"}),
    (b"GIF87a", "image/gif", Attachment.Kind.IMAGE, {".gif"}),
    (b"GIF89a", "image/gif", Attachment.Kind.IMAGE, {".gif"}),
    (b"%PDF-", "application/pdf", Attachment.Kind.PDF, {".pdf"}),
    (b"\x1aE\xdf\xa3", "video/webm", Attachment.Kind.VIDEO, {".webm", ".mkv"}),
]
MP4_BRANDS = {".mp4", ".m4v", ".mov"}
PIXELS_LIMIT = 60_000_000  # larger images are refused, not decoded (decompression bombs)


class InvalidAttachment(base.InvalidRecord):
    pass


def sniff(data: bytes, filename: str) -> tuple[str, str]:
    """(content type, kind) read from the bytes; refused if unknown or not what the name says."""
    suffix = PurePath(filename).suffix.lower()
    found = next((sig[1:] for sig in SIGNATURES if data.startswith(sig[0])), None)
    if found is None and data[4:8] == b"ftyp":
        found = ("video/mp4", Attachment.Kind.VIDEO, MP4_BRANDS)
    if found is None:
        raise InvalidAttachment(
            {
                "file": [
                    "Only images (PNG, JPEG, GIF), PDF files and short videos (MP4, WebM) are "
                    "kept; this file's content is none of them."
                ]
            }
        )
    content_type, kind, suffixes = found
    if suffix not in suffixes:
        raise InvalidAttachment(
            {
                "file": [
                    f"The file is named “{filename[:100]}” but its content is {content_type}; "
                    "rename it or attach the file meant."
                ]
            }
        )
    return content_type, kind


def stripped_image(data: bytes) -> bytes:
    """The image's pixels alone, re-encoded: no EXIF, GPS, device, XMP, comments or thumbnails.

    The image is turned the way its EXIF orientation says first, then rebuilt from its raw
    pixels into a new image that has never held any metadata.
    """
    Image.MAX_IMAGE_PIXELS = PIXELS_LIMIT
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                fmt = image.format
                oriented = ImageOps.exif_transpose(image)
                clean = Image.frombytes(oriented.mode, oriented.size, oriented.tobytes())
                if oriented.mode == "P":
                    clean.putpalette(oriented.getpalette())
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
    ) as exc:
        raise InvalidAttachment({"file": [f"The image cannot be read safely: {exc}"]}) from exc
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=95)
    else:
        clean.save(out, format="GIF" if fmt == "GIF" else "PNG")
    return out.getvalue()


def check(uploaded) -> tuple[bytes, str, str, str, bytes | None]:
    """Read and check an uploaded file before anything is written.

    Returns its bytes, its name, the type its content shows, its kind, and for an image the
    public copy without metadata; ``InvalidAttachment`` says what is wrong.
    """
    limit = settings.EVIDENCE_UPLOAD_MAX_BYTES
    too_large = {"file": [f"The file is larger than the {limit / 2**20:g} MB kept of any file."]}
    if uploaded.size is not None and uploaded.size > limit:
        raise InvalidAttachment(too_large)
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise InvalidAttachment(too_large)
    filename = PurePath(uploaded.name or "file").name[:200]
    content_type, kind = sniff(data, filename)
    clean = stripped_image(data) if kind == Attachment.Kind.IMAGE else None
    return data, filename, content_type, kind, clean


def attach(
    uploaded,
    *,
    source=None,
    claim=None,
    actor,
    reason: str,
    caption: str = "",
    public=False,
    made_from: str = "",
) -> Attachment:
    """Keep a file from the field for a source or a claim; its public copy if it is an image.

    ``made_from`` names the repository file the demonstration's file was made from, which
    the page says, so no one takes it for a file from the field.
    """
    base.require(actor, "evidence.add_attachment", "attach files")
    base.require_reason(reason)
    if public:
        base.require(actor, "tracker.publish_records", "make files from the field public")
    if (source is None) == (claim is None):
        raise InvalidAttachment("Attach the file to a source or to a claim.")
    data, filename, content_type, kind, clean = check(uploaded)
    suffix = PurePath(filename).suffix.lower()
    original, sha256 = storage.write_verified(
        storage.content_name("originals", storage.sha256_of(data), suffix), data
    )
    public_name = public_sha256 = ""
    public_size = None
    if clean is not None:
        public_name, public_sha256 = storage.write_verified(
            storage.content_name("public", storage.sha256_of(clean), suffix), clean
        )
        public_size = len(clean)
    with transaction.atomic():
        attachment = Attachment(
            source=source,
            claim=claim,
            kind=kind,
            original_filename=filename,
            content_type=content_type,
            size=len(data),
            sha256=sha256,
            original_name=original,
            public_name=public_name,
            public_sha256=public_sha256,
            public_size=public_size,
            is_public=bool(public and public_name),
            caption=caption[:300],
            made_from=made_from,
            uploaded_by=base.user_of(actor),
        )
        attachment.full_clean()
        attachment.save()
    return attachment
