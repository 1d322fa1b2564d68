"""The source commands' loop: one pass, or one every N seconds, each of at most --limit."""

from django.core.management.base import CommandError

from tracker.management.looping import LoopingCommand


class LimitedLoopingCommand(LoopingCommand):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--limit", type=int, default=50, help="The most addresses fetched in one pass."
        )

    def handle(self, *args, limit=50, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        super().handle(*args, limit=limit, **options)
