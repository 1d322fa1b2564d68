"""One pass, or a pass every N seconds until stopped (SIGTERM finishes the pass in hand)."""

import signal
import time

from django.core.management.base import BaseCommand, CommandError


class LoopingCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, one pass every --interval seconds."
        )
        parser.add_argument(
            "--interval", type=int, default=60, help="Seconds between passes (default 60)."
        )
        parser.add_argument(
            "--limit", type=int, default=50, help="The most addresses fetched in one pass."
        )

    def one_pass(self, limit: int, loop: bool) -> None:
        raise NotImplementedError

    def handle(self, *args, loop=False, interval=60, limit=50, **options):
        if interval < 1 or limit < 1:
            raise CommandError("--interval and --limit must be at least 1.")
        if not loop:
            self.one_pass(limit, loop=False)
            return
        self.stopping = False
        previous = signal.signal(signal.SIGTERM, self.stop)
        try:
            while True:
                self.one_pass(limit, loop=True)
                if self.wait(interval):
                    return
        finally:
            signal.signal(signal.SIGTERM, previous)

    def stop(self, signum, frame):
        self.stopping = True

    def wait(self, seconds: int) -> bool:
        try:
            for _ in range(seconds):
                if self.stopping:
                    return True
                time.sleep(1)
        except KeyboardInterrupt:
            return True
        return self.stopping
