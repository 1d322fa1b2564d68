"""A command that makes one pass, or one every ``--interval`` seconds until stopped.

SIGTERM (or Ctrl-C) ends the loop after the pass in hand, so a worker that is
stopped leaves no claim to time out.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError


class LoopingCommand(BaseCommand):
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

    def one_pass(self, loop: bool, **options) -> None:
        """One pass; ``loop`` says whether more follow (a loop reports only what happened)."""
        raise NotImplementedError

    def handle(self, *args, loop=False, interval=60, **options):
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        if not loop:
            self.one_pass(loop=False, **options)
            return
        self.stopping = False
        previous = signal.signal(signal.SIGTERM, self.stop)
        try:
            while True:
                self.one_pass(loop=True, **options)
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
