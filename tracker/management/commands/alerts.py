"""Expire windows, derive due alerts and send them: once, or every N seconds.

Run one ``--loop`` per machine (or several): they share the work through
the database and never send the same alert twice.
"""

from tracker.alerts.sweep import sweep
from tracker.ledger import checkpoints
from tracker.management.looping import LoopingCommand


class Command(LoopingCommand):
    help = (
        "Expire ended windows and send due alerts (one pass, or --loop); "
        "with --loop, also sign a checkpoint of the public log each pass when it grew."
    )

    def one_pass(self, loop: bool, **options) -> None:
        report = sweep()
        if not loop:
            self.stdout.write(f"Alerts: {report}")
            return
        if checkpoints.has_key():
            checkpoints.sign()
        if report.expired or report.delivered.sent or report.delivered.failed:
            self.stdout.write(f"Alerts: {report}")
