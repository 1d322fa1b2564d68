"""Fill a bench database with realistic data at a chosen scale.

    DJANGO_SETTINGS_MODULE=bench.settings BENCH_DATABASE=bench-full \
        python manage.py generate_bench_data --scale full

The command exists only under the bench settings, which name a bench
database; it refuses a database that already holds commitments: it adds to
nothing and deletes nothing.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bench import data as benchdata
from tracker.models import Commitment


class Command(BaseCommand):
    help = "Build the bench data set (or the sweep data set) in an empty bench database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(benchdata.SCALES),
            default="full",
            help="full: 2,000 commitments and 1,000,000 events; small: ten times fewer; "
            "tiny: for the smoke test.",
        )
        parser.add_argument("--events", type=int, help="Override the scale's number of events.")
        parser.add_argument(
            "--commitments", type=int, help="Override the scale's number of commitments."
        )
        parser.add_argument(
            "--sweep",
            action="store_true",
            help="Make the alert sweep's data set instead: --commitments live windows, "
            "--due of them needing attention now.",
        )
        parser.add_argument(
            "--due", type=int, default=100, help="With --sweep: how many windows are due."
        )

    def handle(self, *args, scale, events, commitments, sweep, due, **options):
        if not getattr(settings, "BENCH_DATABASE", None):
            raise CommandError(
                "Bench data goes into a bench database only: "
                "run with DJANGO_SETTINGS_MODULE=bench.settings and BENCH_DATABASE=bench-…"
            )
        for name, value in (("--events", events), ("--commitments", commitments), ("--due", due)):
            if value is not None and value < 1:
                raise CommandError(f"{name} must be at least 1.")
        call_command("migrate", verbosity=0, interactive=False)
        if Commitment.objects.exists():
            raise CommandError(
                f"The database {settings.DATABASES['default']['NAME']} already holds "
                "commitments; start from an empty one (make bench does)."
            )

        if sweep:
            count = commitments or 10_000
            if due > count:
                raise CommandError("--due cannot be more than --commitments.")
            now = timezone.now().replace(second=0, microsecond=0)
            timings = benchdata.generate_for_sweep(count, due, now, self.stderr._out)
            self.stdout.write(
                f"Made {count:,} windows, {due} due, in {timings['total']:.1f} s "
                f"(at {now:%Y-%m-%d %H:%M} UTC)."
            )
            return

        chosen = benchdata.SCALES[scale]
        chosen = benchdata.Scale(
            name=chosen.name,
            parties=chosen.parties,
            agreements=min(chosen.agreements, commitments or chosen.commitments),
            commitments=commitments or chosen.commitments,
            events=events or chosen.events,
        )
        timings = benchdata.generate(chosen, self.stderr._out)
        self.stdout.write(
            f"Made {chosen.commitments:,} commitments and {chosen.events:,} events "
            f"in {timings['total']:.1f} s ({timings['events']:.1f} s for the events)."
        )
