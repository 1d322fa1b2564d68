"""Replaces django-import-export's generic ``import`` command, which would save
records directly, past the services, their rules and their history reasons."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Switched off here: import claims with `manage.py import_events`."

    def add_arguments(self, parser):
        parser.add_argument("arguments", nargs="*")

    def handle(self, *args, **options):
        raise CommandError(
            "The generic import would write records past the tracker's rules and history. "
            "Import claims with `manage.py import_events FILE` (see README: "
            "“Recording claims in bulk”)."
        )
