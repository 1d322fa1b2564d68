"""A source's captures as one WARC file for staff, which replay tools open as it is.

Each capture's records are stored as gzipped WARC members; a WARC file may be
any number of them one after another, so the file is a ``warcinfo`` record
followed by each capture's records, streamed from the store.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.text import slugify

from tracker.evidence import storage, warc
from tracker.evidence.models import Capture


def filename_for(source) -> str:
    return f"source-{source.pk}-{slugify(source.title or source.url)[:60] or 'captures'}.warc.gz"


def captures_warc(source) -> Iterator[bytes]:
    captures = Capture.objects.kept().filter(source=source).exclude(warc_name="")
    yield warc.warcinfo(
        filename_for(source), f"Captures of {source.url} kept by the ceasefire tracker"
    )
    for capture in captures.order_by("captured_at", "pk"):
        with storage.open_stream(capture.warc_name) as stored:
            while chunk := stored.read(storage.CHUNK):
                yield chunk
