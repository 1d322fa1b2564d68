"""The demo's captures, made from files in the repository, since the real pages cannot be fetched.

Each is written like any capture (bytes and a WARC ``resource`` record through the
evidence storage, hashes checked) and marked ``made_from`` its file, which the page and
the API say. Loading again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from tracker.evidence import storage, warc
from tracker.evidence.models import Capture, Link
from tracker.models import Source

FOLDER = Path(settings.BASE_DIR) / "fixtures" / "demo-captures"


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def load_demo_captures(folder: Path = FOLDER) -> int:
    """Keep a copy of each listed demo source that has none; returns how many were made."""
    manifest = json.loads((folder / "captures.json").read_text())
    made = 0
    for entry in manifest["captures"]:
        source = Source.objects.filter(url=entry["url"]).first()
        if source is None or Capture.objects.kept().filter(source=source).exists():
            continue
        body = (folder / entry["file"]).read_bytes()
        captured_at = _instant(entry["captured_at"])
        name, sha256 = storage.write_verified(
            storage.content_name("captures", storage.sha256_of(body)), body
        )
        records = warc.file_records(source.url, body, "text/html; charset=utf-8", captured_at)
        warc_name, _ = storage.write_verified(
            storage.content_name("warc", storage.sha256_of(records), ".warc.gz"), records
        )
        with transaction.atomic():
            # Whatever a worker queued meanwhile for an address it cannot reach gives way.
            Capture.objects.filter(source=source).exclude(state=Capture.State.CAPTURED).delete()
            Capture.objects.create(
                source=source,
                url=source.url,
                state=Capture.State.CAPTURED,
                final_url=source.url,
                http_status=200,
                content_type="text/html; charset=utf-8",
                size=len(body),
                sha256=sha256,
                captured_at=captured_at,
                requested_at=captured_at,
                body_name=name,
                warc_name=warc_name,
                made_from=f"fixtures/demo-captures/{entry['file']}",
            )
            status = entry.get("link_status", Link.Status.LIVE)
            Link.objects.update_or_create(
                source=source,
                defaults={
                    "status": status,
                    "status_since": _instant(entry.get("status_since", entry["captured_at"])),
                    "checked_at": captured_at,
                    "check_note": "Demonstration copy made from a file; not checked.",
                    "shareable": entry.get("shareable", False),
                    "next_check_at": None,  # the real address cannot be reached here
                },
            )
        made += 1
    return made
