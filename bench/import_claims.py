"""Import a file of claims through ``import_events``' own path, counting rows, time and memory.

The file is the data set's published events as the open-data events.csv
gives them, ids taken off and each summary marked as a new report, so every
row is a new claim with a likely original already recorded: the import's
heaviest case, every row looking for and finding one. It runs as a dry run,
which is the same run rolled back at its end, so the data set stays as it was
built for the measurements after it (what the real run adds is one commit).

Run in a fresh process, so the peak resident memory is this import's alone:
the figure reported is the peak (``getrusage``) minus what the process held
just before, after a first small import loaded everything the path needs.
Beside the time on the clock, the process's own CPU time for the import
(``cpu_seconds``, ``rows_per_cpu_second``): on a machine shared with other
work the clock counts the waits for a core too. Prints JSON.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import tempfile
import time
from itertools import islice

import django


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def write_file(path: str, rows: int) -> int:
    """The first ``rows`` published events as new claims; returns how many were written."""
    from tracker.opendata.files import EVENTS, csv_lines

    lines = csv_lines(EVENTS)
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        header = next(csv.reader(io.StringIO(next(lines))))
        writer.writerow(header)
        summary = header.index("summary")
        for chunk in lines:
            for row in csv.reader(io.StringIO(chunk)):
                row[0] = ""  # a new claim
                row[summary] = f"{row[summary]} (report {written})"
                writer.writerow(row)
                written += 1
                if written >= rows:
                    return written
    return written


def importer_account():
    from django.contrib.auth.models import Group, User

    from tracker.roles import EDITORS, ensure_staff_roles

    ensure_staff_roles()
    user, _ = User.objects.get_or_create(username="bench-importer", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=EDITORS))
    return User.objects.get(pk=user.pk)


def measure(rows: int) -> dict:
    from tracker.staff.intake.importer import import_claims

    actor = importer_account()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "claims.csv")
        available = write_file(path, rows)
        # Imports, translations and the first queries, before anything is measured.
        with open(path, "rb") as stream:
            head = io.BytesIO(b"".join(islice(stream, 6)))
        import_claims(head, file_format="csv", file_name="warm.csv", actor=actor, dry_run=True)

        before = resident_mb()
        started, cpu_started = time.perf_counter(), time.process_time()
        with open(path, "rb") as stream:
            tally = import_claims(
                stream, file_format="csv", file_name="claims.csv", actor=actor, dry_run=True
            )
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "rows": tally.rows,
        "asked": rows,
        "available": available,
        "new": tally.new,
        "flagged": tally.flagged,
        "refused": tally.refused,
        "seconds": round(elapsed, 3),
        "rows_per_second": round(tally.rows / elapsed, 1) if elapsed else None,
        "cpu_seconds": round(cpu, 3),
        "rows_per_cpu_second": round(tally.rows / cpu, 1) if cpu else None,
        "max_rss_mb": round(max_rss, 1),
        "before_mb": round(before, 1),
        # The kernel's high-water mark can trail the resident size read before.
        "peak_mb": round(max(max_rss - before, 0.0), 1),
        "dry_run": True,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the file, at most")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    print(json.dumps(measure(options.rows)))


if __name__ == "__main__":
    main()
