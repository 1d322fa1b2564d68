"""``/data/datapackage.json``: the open-data files described for machines (Data Package v2).

Each CSV file is a resource with its Table Schema (types, formats, the values
a column may hold, primary and foreign keys, what a missing value looks
like), made from the same description that writes the file
(``tracker.opendata.tables``), so the schema cannot say one thing and the file
another. The package also gives the licence, where the records come from,
which version of the record the files hold, and how to cite them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.http import current_version, public_cache
from tracker.opendata.files import TABLES

# Raised when a column is taken away or changes meaning, so tools that read
# the files by their schema can tell; new columns are added after the others.
SCHEMA_MAJOR = 1
NAME = "ceasefire-commitment-tracker"
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}


def record_version(changed_at: dt.datetime | None) -> str:
    """A semantic version naming the state of the record: the schema's, then its last change.

    ``1.20250320101530250000.0`` is the record as it stood after the change
    made at 10:15:30.25 UTC on 20 March 2025; later changes give larger versions.
    """
    if changed_at is None:
        return f"{SCHEMA_MAJOR}.0.0"
    return f"{SCHEMA_MAJOR}.{changed_at.astimezone(dt.UTC):%Y%m%d%H%M%S%f}.0"


def citation(version: str, changed_at: dt.datetime | None, page: str) -> str:
    as_of = changed_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if changed_at else "—"
    return _(
        "Ceasefire Commitment Tracker. Ceasefire commitments and compliance claims, "
        "open data, version %(version)s (the record as of %(as_of)s). %(page)s"
    ) % {"version": version, "as_of": as_of, "page": page}


def descriptor(request) -> dict:
    """The package: its metadata, then one resource per file."""
    changed_at = current_version().changed_at
    version = record_version(changed_at)
    page = f"{settings.SITE_URL}{reverse('open_data')}"
    cite = citation(version, changed_at, page)
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": NAME,
        "id": page,
        "title": _("Ceasefire Commitment Tracker: open data"),
        "description": _(
            "Who promised what in a ceasefire, whether it is still in force, and what each "
            "side claims about whether it is being kept: commitments, the parties' readings "
            "of their terms, compliance events with their claimants and verification, the "
            "agreements and the parties, the sources they cite with the copies kept of them, "
            "and the records withdrawn since publication. Only "
            "published records. Each record keeps its id for good. To cite: %(citation)s"
        )
        % {"citation": cite},
        "homepage": page,
        "version": version,
        "created": changed_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        if changed_at
        else None,
        "keywords": ["ceasefire", "conflict", "commitments", "compliance", "HXL"],
        "licenses": [LICENSE],
        "sources": [
            {
                "title": _(
                    "Public statements, agreements and reports by the parties, mediators and "
                    "monitors; each record names its own in its source_urls column"
                ),
                "path": page,
            }
        ],
        "contributors": [
            {
                "title": _("Ceasefire Commitment Tracker"),
                "path": settings.SITE_URL,
                "roles": ["publisher"],
            }
        ],
        # Not a Data Package property: how to cite the files, in one line.
        "citation": cite,
        "resources": [
            {
                "name": table.name,
                "type": "table",
                "path": table.filename,
                "title": str(table.title),
                "description": str(table.description),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table.schema(),
            }
            for table in TABLES.values()
        ],
    }


@public_cache
def datapackage(request):
    """The Data Package descriptor of every open-data file."""
    described = {k: v for k, v in descriptor(request).items() if v is not None}
    return JsonResponse(described, json_dumps_params={"ensure_ascii": False, "indent": 2})
