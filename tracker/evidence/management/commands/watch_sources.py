"""Check the cited addresses that are due: still there and unchanged, changed, or gone.

Each address is checked about every SOURCES_WATCH_EVERY, at its own point in that
period, so checks are spread over the days rather than made all at once.
"""

from tracker.evidence.management.commands._looping import LimitedLoopingCommand
from tracker.evidence.watching import watch_due


class Command(LimitedLoopingCommand):
    help = "Check the cited addresses that are due (one pass, or --loop)."

    def one_pass(self, loop: bool, limit: int = 50, **options) -> None:
        report = watch_due(limit=limit)
        if not loop or report.checked:
            self.stdout.write(f"Links: {report}")
