"""The open-data page: every machine-readable output, and the CSV files column by column."""

from __future__ import annotations

from django.shortcuts import render

from tracker.http import public_cache
from tracker.opendata.api.views import ENDPOINTS, MAX_PAGE_SIZE
from tracker.opendata.files import TABLES


@public_cache
def data_index(request):
    """The page that lists every machine-readable output and documents the CSV columns."""
    return render(
        request,
        "tracker/open_data.html",
        {"tables": TABLES.values(), "endpoints": ENDPOINTS, "max_page_size": MAX_PAGE_SIZE},
    )
