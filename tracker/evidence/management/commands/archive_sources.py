"""Capture cited sources: queue every source never captured (the backfill), then fetch what is due.

Run one ``--loop`` per machine, or several: workers claim captures one at a time
through the database and never fetch the same one twice.
"""

from tracker.evidence.capturing import archive_due
from tracker.evidence.management.commands._looping import LimitedLoopingCommand


class Command(LimitedLoopingCommand):
    help = "Capture the cited sources that have no copy yet (one pass, or --loop)."

    def one_pass(self, loop: bool, limit: int = 50, **options) -> None:
        report = archive_due(limit=limit)
        if not loop or report.queued or report.captured or report.retrying or report.failed:
            self.stdout.write(f"Sources: {report}")
        for capture in report.retrying + report.failed:
            self.stdout.write(f"  {capture.url}: {capture.failure_reason}")
