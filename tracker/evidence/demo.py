"""The demo's captures, made from files in the repository, since the real pages cannot be fetched.

Each is written like any capture (bytes and a WARC ``resource`` record through the
evidence storage, hashes checked) and marked ``made_from`` its file, which the page and
the API say. The demo also ships one file from the field: an image made from a file in
the repository, carrying made-up EXIF metadata, attached to a published claim as staff
attach one, so its public copy (without the metadata) and both hashes show on the claim's
page. Loading again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tracker import services
from tracker.evidence import attachments, storage, warc
from tracker.evidence.models import Attachment, Capture, Link
from tracker.models import ComplianceEvent, Source

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


def load_demo_files(folder: Path = FOLDER) -> int:
    """Attach each listed demo file to its claim, published, unless it is there; how many were."""
    manifest = json.loads((folder / "captures.json").read_text())
    made = 0
    for entry in manifest.get("files", []):
        made_from = f"fixtures/demo-captures/{entry['file']}"
        claim = ComplianceEvent.objects.filter(
            commitment__slug=entry["commitment"], summary_en__startswith=entry["claim_starts"]
        ).first()
        if claim is None or Attachment.objects.filter(made_from=made_from).exists():
            continue
        attachment = attachments.attach(
            SimpleUploadedFile(entry["file"], (folder / entry["file"]).read_bytes()),
            claim=claim,
            actor=services.IMPORT,
            reason="Demonstration file, made from a file in the repository",
            public=True,
            made_from=made_from,
        )
        Attachment.objects.filter(pk=attachment.pk).update(
            uploaded_at=_instant(entry["uploaded_at"])
        )
        made += 1
    return made
