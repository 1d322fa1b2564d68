"""Time one alert sweep over a sweep data set (``generate_bench_data --sweep``).

Each repetition runs inside a transaction that is rolled back, so every
sweep finds the same windows due and the same alerts to send. Prints JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os

import django


def measure(times: int, budget: float) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.timing import repeat, summary
    from tracker.alerts.models import Channel, Delivery, Scope, Subscription
    from tracker.alerts.sweep import sweep
    from tracker.models import Commitment

    Subscription.objects.get_or_create(
        channel=Channel.EMAIL,
        target="newsroom@example.org",
        scope=Scope.EVERYTHING,
        defaults={"confirmed_at": timezone.now() - dt.timedelta(days=30)},
    )
    reports = []

    def one_sweep():
        with transaction.atomic():
            reports.append(sweep())
            transaction.set_rollback(True)

    with CaptureQueriesContext(connection) as queries:
        one_sweep()
    samples = repeat(one_sweep, times=times, budget=budget)
    report = reports[0]
    return {
        "commitments": Commitment.objects.count(),
        "expired": len(report.expired),
        "sent": len(report.delivered.sent),
        "cancelled": len(report.delivered.cancelled),
        "queries": len(queries),
        "outbox_after": Delivery.objects.count(),
        **summary(samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--budget", type=float, default=30.0)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    print(json.dumps(measure(options.repeat, options.budget)))


if __name__ == "__main__":
    main()
