"""Expire windows, derive due alerts and send them: once, or every N seconds.

Run one ``--loop`` per machine (or several): they share the work through
the database and never send the same alert twice.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError

from tracker.alerts.sweep import sweep
from tracker.ledger import checkpoints


class Command(BaseCommand):
    help = (
        "Expire ended windows and send due alerts (one pass, or --loop); "
        "with --loop, also sign a checkpoint of the public log each pass when it grew."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, one pass every --interval seconds."
        )
        parser.add_argument(
            "--interval",
            type=int,
            default=60,
            help="Seconds between passes with --loop (default 60).",
        )

    def handle(self, *args, loop=False, interval=60, **options):
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        if not loop:
            self.stdout.write(f"Alerts: {sweep()}")
            return
        self.stopping = False
        # Finish the pass in hand on SIGTERM, so no claim is left to time out.
        previous = signal.signal(signal.SIGTERM, self.stop)
        try:
            while True:
                report = sweep()
                if checkpoints.has_key():
                    checkpoints.sign()
                if report.expired or report.delivered.sent or report.delivered.failed:
                    self.stdout.write(f"Alerts: {report}")
                if self.wait(interval):
                    return
        finally:
            signal.signal(signal.SIGTERM, previous)

    def stop(self, signum, frame):
        self.stopping = True

    def wait(self, seconds: int) -> bool:
        """Sleep between passes; True when it is time to stop."""
        try:
            for _ in range(seconds):
                if self.stopping:
                    return True
                time.sleep(1)
        except KeyboardInterrupt:
            return True
        return self.stopping
