"""Time the public log at scale: append, checkpoint, inclusion and consistency proofs.

    python -m bench.ledger --entries 1000000

Runs against its own data set (``BENCH_DATABASE``, bench-ledger by default). The log is
grown to ``--entries`` first: the first ``--appends`` entries through ``log.append``, one
transaction each, as the services append (timed: appends to a small log), the rest written
in batches by the same frontier rule. Then appends to the large log are timed the same way,
so the two medians show whether appending stays constant-time; proofs are timed for random
leaves and sizes, with the rows each one reads. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time

import django

BATCH = 20_000
AT = "2026-12-06T00:00:00.000000Z"


def grow(target: int) -> float:
    """Write entries in batches until the log holds ``target``; returns the seconds spent."""
    from django.db import transaction

    from tracker.ledger import merkle
    from tracker.models import LedgerEntry, LedgerHead, LedgerNode

    started = time.perf_counter()
    head = LedgerHead.objects.get(pk=1)
    frontier = [bytes.fromhex(h) if h else None for h in head.frontier]
    index = head.size
    while index < target:
        entries, nodes = [], []
        stop = min(target, index + BATCH)
        for i in range(index, stop):
            record = {"id": i, "slug": f"claim-{i}", "summary": "Shelling reported" * 4}
            # The same text log.leaf_text writes (RFC 8785), made faster for these ASCII-only
            # records: sorted keys, no spaces.
            text = json.dumps(
                {"at": AT, "change": "published", "id": i, "kind": "claim", "record": record},
                sort_keys=True,
                separators=(",", ":"),
            ).encode()
            leaf = merkle.leaf_hash(text)
            made, frontier = merkle.merges(i, leaf, frontier)
            entries.append(
                LedgerEntry(
                    index=i,
                    kind="claim",
                    record_id=i,
                    change="published",
                    recorded_at=head_time(),
                    leaf=text.decode(),
                    leaf_hash=leaf,
                    record_digest=b"",
                )
            )
            nodes += [LedgerNode(level=lv, position=p, hash=h) for lv, p, h in made if lv]
        index = stop
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(entries)
            LedgerNode.objects.bulk_create(nodes)
            LedgerHead.objects.filter(pk=1).update(
                size=index, frontier=[h.hex() if h else None for h in frontier]
            )
    return time.perf_counter() - started


def head_time():
    import datetime as dt

    return dt.datetime(2026, 12, 6, tzinfo=dt.UTC)


def timed_appends(count: int) -> list[float]:
    from django.db import transaction

    from tracker.ledger import log

    samples = []
    for i in range(count):
        record = {"id": i, "summary": "A verified violation near Kherson"}
        started = time.perf_counter()
        with transaction.atomic():
            log.append("claim", 10_000_000 + i, "updated", record)
        samples.append(time.perf_counter() - started)
    return samples


def measure(entries: int, appends: int, proofs: int) -> dict:
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench.timing import summary
    from tracker.ledger import checkpoints, log, merkle

    if not settings.LEDGER_SIGNING_KEY:
        settings.LEDGER_SIGNING_KEY = checkpoints.new_key_text(settings.LEDGER_ORIGIN)
    small = timed_appends(appends) if log.size() == 0 else []
    built = grow(entries)
    large = timed_appends(appends)
    size = log.size()

    def sign():
        started = time.perf_counter()
        with transaction.atomic():
            checkpoints.sign(force=True)
            transaction.set_rollback(True)
        return time.perf_counter() - started

    signing = [sign() for _ in range(20)]
    rng = random.Random(6962)
    inclusion, consistency, reads = [], [], {"inclusion": 0, "consistency": 0}
    verifying = []
    root = log.root(size)
    for _ in range(proofs):
        index = rng.randrange(size)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            proof = log.inclusion_proof(index, size)
            inclusion.append(time.perf_counter() - started)
        reads["inclusion"] = max(reads["inclusion"], len(queries))
        leaf = log.DatabaseStore().node(0, index)
        started = time.perf_counter()
        merkle.verify_inclusion(index, size, leaf, proof, root)
        verifying.append(time.perf_counter() - started)
        old = rng.randrange(1, size)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            log.consistency_proof(old, size)
            consistency.append(time.perf_counter() - started)
        reads["consistency"] = max(reads["consistency"], len(queries))
    return {
        "entries": size,
        "build_seconds": round(built, 1),
        "append_small_log": summary(small) if small else None,
        "append": summary(large),
        "checkpoint": summary(signing),
        "inclusion_proof": {**summary(inclusion), "rows_read_at_most": reads["inclusion"]},
        "inclusion_verify": summary(verifying),
        "consistency_proof": {**summary(consistency), "rows_read_at_most": reads["consistency"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--proofs", type=int, default=200)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("BENCH_DATABASE", "bench-ledger")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(json.dumps(measure(options.entries, options.appends, options.proofs)))


if __name__ == "__main__":
    main()
