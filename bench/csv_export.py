"""Stream the whole events CSV through its real URL, counting rows, time and memory;
then read the same rows raw, for the floor the export is compared with.

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


def measure() -> dict:
    from django.test import Client

    client = Client()
    # Imports, translations and the first connection, before anything is measured.
    warm = client.get("/data/events.csv")
    next(iter(warm.streaming_content))
    warm.close()

    before = resident_mb()
    started = time.perf_counter()
    response = client.get("/data/events.csv")
    lines = 0
    size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    response.close()
    elapsed = time.perf_counter() - started
    result = {
        "status": response.status_code,
        "rows": lines - 1,
        "bytes": size,
        "seconds": round(elapsed, 3),
        "rows_per_second": round((lines - 1) / elapsed),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    result["before_mb"] = round(before, 1)
    result["peak_mb"] = round(result["max_rss_mb"] - before, 1)
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
    argparse.ArgumentParser(description=__doc__).parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    print(json.dumps(measure()))


if __name__ == "__main__":
    main()
