"""Sign a checkpoint of the public log now (the alert loop also signs one each pass)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from tracker.ledger import changes, checkpoints


class Command(BaseCommand):
    help = "Sign a checkpoint of the public log, unless the latest one already covers it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reconcile",
            action="store_true",
            help="First enter every public record the log does not hold as it is now "
            "(for a database that had public records before the log).",
        )

    def handle(self, *args, reconcile=False, **options):
        if reconcile:
            added = changes.reconcile()
            self.stdout.write(f"Entered {len(added)} records the log did not hold as they are.")
        try:
            checkpoint = checkpoints.sign()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(checkpoint.note, ending="")
