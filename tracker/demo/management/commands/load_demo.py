"""Load the demo data: the real commitments of spring 2025 from ``fixtures/``."""

from django.core.management.base import BaseCommand, CommandError

from tracker.demo import loader
from tracker.evidence.demo import load_demo_captures, load_demo_files


class Command(BaseCommand):
    help = (
        "Load the demo data set through the services, in one transaction. "
        "Records already in the database are left as they are, so running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default=str(loader.DEFAULT_FILE),
            help="Data file to load (default: %(default)s).",
        )

    def handle(self, *args, file, **options):
        try:
            result = loader.load_file(file)
        except loader.DemoDataError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        self.stdout.write(result.summary())
        made = load_demo_captures()
        if made:
            self.stdout.write(f"Demo captures made from files in the repository: {made}.")
        if attached := load_demo_files():
            self.stdout.write(f"Demo files from the field attached to claims: {attached}.")
