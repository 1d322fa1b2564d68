"""The open-data CSV files: what each holds, column by column, and the address that streams it.

Each file is described once here (``tracker.opendata.tables``): the same
description writes the header and the rows, the HXL row, the documentation
on /data/ and the file's Table Schema in ``/data/datapackage.json``. Each
file takes the filters the API's list of the same records takes
(``tracker.opendata.filters``), by the same names. A file is streamed from
one query a chunk of rows at a time, filtered or not, so a million rows cost
the same memory as a hundred.

Every record keeps its ``id`` for good: an edit, a new slug or a correction
never changes it, so a mirror can match each row with the one it holds, and
``deletions.csv`` names by that ``id`` what left the files.

The files are described in ``commitment_files`` (commitments, readings),
``event_files`` (events) and ``reference_files`` (agreements, parties,
sources, withdrawals), from the pieces in ``columns``; this module lists them
and serves each at its address.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from tracker.http import public_cache
from tracker.opendata import filters, past
from tracker.opendata.commitment_files import COMMITMENTS, READINGS
from tracker.opendata.event_files import EVENTS
from tracker.opendata.reference_files import AGREEMENTS, DELETIONS, PARTIES, SOURCES
from tracker.opendata.tables import (  # noqa: F401  (the import of claims reads these here)
    CHUNK_SIZE,
    FORMULA_STARTS,
    LIST_SEPARATOR,
    Column,
    ForeignKey,
    Table,
    csv_lines,
    joined,
)
from tracker.site import reader_zone

TABLES = {
    table.name: table
    for table in (COMMITMENTS, READINGS, EVENTS, AGREEMENTS, PARTIES, SOURCES, DELETIONS)
}


# The address of each file -------------------------------------------------------------

HXL_CHOICES = {"1": True, "0": False}


class Refused(Exception):
    """The parameters ask for something the file cannot give; ``problems`` by parameter."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__(problems)
        self.problems = problems


def parameters(table: Table) -> list[str]:
    """The names a file's address takes: its filters, then ``hxl``."""
    return [*table.filters.base_filters, "hxl"]


def selected(
    table: Table, params, zone: reader_zone.ReaderZone | None = None
) -> tuple[QuerySet, bool, past.Past | None]:
    """The rows ``params`` ask for, whether to add the HXL row, and the past day asked for.

    Or ``Refused``. Checked before anything is streamed, so a bad parameter
    is a 400 that names it, never a file cut short, silently empty or
    silently unfiltered. ``zone`` is the reader's, where a past day ends.
    """
    try:
        asked = past.asked(params, zone or reader_zone.ReaderZone())
    except past.Refused as refused:
        raise Refused(refused.problems) from None
    if asked is not None and table.name not in past.SOURCES:
        raise Refused(past.not_offered(table.filename).problems)
    # The reader's zone, which the site's links carry, changes no time in a file: files
    # are in UTC. As of a past day, it says where the day ends.
    known = [*parameters(table), reader_zone.PARAMETER, past.PARAMETER]
    problems = filters.refusals(params, known)
    hxl = params.get("hxl", "0")
    if "hxl" not in problems and hxl not in HXL_CHOICES:
        problems["hxl"] = [str(_("Give 1 to add the row of HXL hashtags, or 0."))]
    if problems:
        raise Refused(problems)
    chosen = table.filters(
        MultiValueDict(
            {name: values for name, values in params.lists() if name in table.filters.base_filters}
        ),
        queryset=table.source() if asked is None else past.SOURCES[table.name].rows(asked.moment),
    )
    if not chosen.is_valid():
        raise Refused(
            {name: [str(m) for m in messages] for name, messages in chosen.errors.items()}
        )
    return chosen.qs, HXL_CHOICES[hxl], asked


@public_cache(etag_func=past.download_etag)
def csv_file(request, table: str):
    """Stream one open-data file, filtered as asked, today's or as of a past day."""
    if table not in TABLES:
        raise Http404("No such file.")
    chosen = TABLES[table]
    try:
        rows, hxl, asked = selected(chosen, request.GET, reader_zone.zone_of(request))
    except Refused as refused:
        return JsonResponse(refused.problems, status=400)
    rebuild = None
    if asked is not None and chosen.records is not None:
        records = past.SOURCES[table].records

        def rebuild(chunk: list) -> list:
            return records(chunk, asked.moment)

    response = StreamingHttpResponse(
        csv_lines(chosen, rows, hxl=hxl, rebuild=rebuild), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{chosen.filename}"'
    return response
