"""Stream the whole events CSV through its real URL, counting rows, time and memory;
then read the same rows raw, for the floor the export is compared with.

With ``--filtered``, stream a filtered file instead, as a journalist asks for
it: the claims of the busiest claimant in the busiest region, of the most
common kind, over the data set's first half year, with the HXL row. The
filter is chosen from the data before anything is measured; the rows a
second count the rows the file holds, and the memory is the same measure.

Run in a fresh process, so the peak resident memory is this export's alone.
The figure reported is the peak (``getrusage``) minus what the process held
just before the export started: what streaming a million rows costs, without
the interpreter and Django, which every process pays. (tracemalloc would
count the same allocations more precisely, but slows the export fivefold.)
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

import django


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def journalists_filter() -> str:
    """A filter of the events file that keeps what one story needs, chosen from the data."""
    import datetime as dt
    from urllib.parse import urlencode

    from django.db.models import Count, Min

    from tracker import public

    events = public.events().order_by()

    def busiest(field: str) -> str:
        return (
            events.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(n=Count("pk"))
            .order_by("-n")
            .values_list(field, flat=True)[0]
        )

    first = events.aggregate(first=Min("occurred_at"))["first"]
    query = {
        "region": busiest("region"),
        "party": busiest("claimant__slug"),
        "kind": busiest("kind"),
        "occurred_after": first.date().isoformat(),
        "occurred_before": (first + dt.timedelta(days=183)).date().isoformat(),
        "hxl": "1",
    }
    return urlencode(query)


def measure(filtered: bool = False) -> dict:
    from django.test import Client

    client = Client()
    query = journalists_filter() if filtered else ""
    address = "/data/events.csv" + (f"?{query}" if query else "")
    # Imports, translations and the first connection, before anything is measured.
    warm = client.get(address)
    next(iter(warm.streaming_content))
    warm.close()

    before = resident_mb()
    started = time.perf_counter()
    response = client.get(address)
    lines = 0
    size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    response.close()
    elapsed = time.perf_counter() - started
    header_lines = 2 if filtered else 1
    result = {
        "status": response.status_code,
        "rows": lines - header_lines,
        "bytes": size,
        "seconds": round(elapsed, 3),
        "rows_per_second": round((lines - header_lines) / elapsed),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    result["before_mb"] = round(before, 1)
    # The kernel updates its high-water mark lazily, so it can trail the resident size read
    # just before; growth below nothing is nothing.
    result["peak_mb"] = round(max(result["max_rss_mb"] - before, 0.0), 1)
    if filtered:
        result["query"] = query
    else:
        result["raw_rows_per_second"] = raw_rows_per_second()
    return result


def raw_rows_per_second() -> int:
    """The same rows read from the database as the file reads them, with no formatting.

    The file's own query, through ``values_list`` in the same chunks: what
    the export would cost if writing CSV were free.
    """
    from tracker.opendata.files import CHUNK_SIZE, EVENTS

    fields = [column.field for column in EVENTS.columns]
    started = time.perf_counter()
    rows = 0
    for _row in EVENTS.values().values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        rows += 1
    return round(rows / (time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--filtered", action="store_true", help="a journalist's filtered file")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    print(json.dumps(measure(filtered=options.filtered)))


if __name__ == "__main__":
    main()
