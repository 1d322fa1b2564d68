"""Make one change through the services, as a web node would, or take it back.

    python -m bench.change record "a summary"   # prints the new event's id
    python -m bench.change remove 123

Used by the two-node measurement: a change made here, in a process of its
own, must show on a page another server renders right after. The event goes
on the heavy commitment and is removed again, so the data set is left as it
was.
"""

from __future__ import annotations

import argparse
import os

import django


def record(summary: str) -> int:
    from django.utils import timezone

    from bench.names import HEAVY_SLUG
    from tracker import services
    from tracker.models import Commitment, ComplianceEvent, EventKind

    commitment = Commitment.objects.get(slug=HEAVY_SLUG)
    event = ComplianceEvent(
        commitment=commitment,
        kind=EventKind.STATEMENT,
        occurred_at=timezone.now(),
        precision="minute",
        summary=summary,
    )
    services.record_event(event, actor=services.IMPORT, reason="Bench: a change on one node")
    services.publish(event, actor=services.IMPORT, reason="Bench: a change on one node")
    return event.pk


def remove(pk: int) -> None:
    from tracker.models import ComplianceEvent

    ComplianceEvent.objects.filter(pk=pk).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["record", "remove"])
    parser.add_argument("value")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    if options.action == "record":
        print(record(options.value))
    else:
        remove(int(options.value))


if __name__ == "__main__":
    main()
