"""Record a file of claims: ``python manage.py import_events FILE [--dry-run] [--user NAME]``.

A thin shell over ``tracker.staff.intake.importer``: it opens the file,
names the importing user, shows progress and prints what became of each row.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from tqdm import tqdm

from tracker import services
from tracker.staff.intake import importer, reading
from tracker.staff.intake.importer import ALREADY_THERE, REFUSED, Outcome

PLAIN_PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = (
        "Record the claims in a CSV, XLSX or JSON file with the columns of the open-data "
        "events.csv, unpublished and unverified, all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file of claims (.csv, .xlsx or .json).")
        parser.add_argument(
            "--format",
            choices=reading.FORMATS,
            help="The file's format, when its name does not end in .csv, .xlsx or .json.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and say what would happen; write nothing.",
        )
        parser.add_argument(
            "--user",
            help="The staff account the claims are recorded by (an editor or reviewer). "
            "Default: the account named like your login ($USER).",
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Write the good rows even when others are refused (default: all or nothing).",
        )
        parser.add_argument(
            "--progress",
            choices=["auto", "bar", "plain", "none"],
            default="auto",
            help="A progress bar on a terminal, plain counts otherwise (auto); or choose.",
        )

    def handle(self, *args, file, format, dry_run, user, partial, progress, verbosity, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        try:
            file_format = reading.format_of(path.name, format)
        except reading.FileRefused as refused:
            raise CommandError(refused.message) from None
        actor = self.importing_user(user)

        with path.open("rb") as stream:
            progress = self.progress(progress, stream, file_format)
            try:
                tally = importer.import_claims(
                    stream,
                    file_format=file_format,
                    file_name=path.name,
                    actor=actor,
                    dry_run=dry_run,
                    all_or_nothing=not partial,
                    report=lambda outcome: self.report(outcome, progress, verbosity),
                )
            except services.NotPermitted as refusal:
                raise CommandError(f"{actor.username}: {refusal.messages[0]}") from None
            finally:
                progress.close()

        self.stdout.write(f"{path.name}: {tally}.")
        if tally.written:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Recorded {tally.new} new claims by {actor.username}, unpublished and "
                    f"unverified, with the reason “{importer.reason_for(path.name)}”."
                )
            )
        elif dry_run:
            self.stdout.write("Dry run: nothing was written.")
        elif tally.has_problems:
            self.stdout.write(
                "Nothing was written: every row must be right (all or nothing). "
                "Correct the rows above and import the file again"
                + ("." if tally.unreadable else ", or use --partial to write the good rows.")
            )
        else:
            self.stdout.write("Nothing to write: every claim is already there.")
        if tally.has_problems:
            raise CommandError("Some rows were refused.", returncode=1)

    def importing_user(self, username: str | None):
        """The account named, or the one named like the login of whoever runs the command."""
        named = username or os.environ.get("USER") or os.environ.get("LOGNAME")
        if not named:
            try:
                named = getpass.getuser()
            except (KeyError, OSError):
                named = ""
        found = get_user_model().objects.filter(username=named, is_active=True).first()
        if found is None:
            how = "" if username else " (named like your login; say who with --user)"
            raise CommandError(f"There is no active staff account “{named}”{how}.")
        if not importer.may_import(found):
            raise CommandError(f"{named} may not import claims: only editors and reviewers may.")
        return found

    def progress(self, choice: str, stream, file_format: str):
        if choice == "auto":
            choice = "bar" if sys.stderr.isatty() else "plain"
        if choice == "bar":
            total = reading.count_rows(stream, file_format)
            return tqdm(total=total, unit=" rows", file=sys.stderr, dynamic_ncols=True)
        return PlainCounts(self.stderr if choice == "plain" else None)

    def report(self, outcome: Outcome, progress, verbosity: int) -> None:
        progress.update(1)
        if outcome.status == REFUSED:
            lines, style = outcome.messages(), self.style.ERROR
        elif (
            verbosity >= 2
            or outcome.is_flagged
            or (verbosity >= 1 and outcome.status == ALREADY_THERE)
        ):
            lines, style = outcome.messages(), self.style.WARNING
            if outcome.is_flagged and outcome.duplicate_line is None:
                url = reverse("admin:tracker_complianceevent_change", args=[outcome.duplicate_of])
                lines = [f"{lines[0]} See {settings.SITE_URL}{url}"]
            if not outcome.is_flagged and outcome.status != ALREADY_THERE:
                style = str
        else:
            return
        with tqdm.external_write_mode(file=sys.stderr):
            for line in lines:
                self.stdout.write(style(line))


class PlainCounts:
    """Progress as a line of counts every so many rows, for logs and pipes."""

    def __init__(self, out):
        self.out = out
        self.rows = 0

    def update(self, rows: int) -> None:
        self.rows += rows
        if self.out is not None and self.rows % PLAIN_PROGRESS_EVERY == 0:
            self.out.write(f"{self.rows} rows read")

    def close(self) -> None:
        if self.out is not None and self.rows % PLAIN_PROGRESS_EVERY:
            self.out.write(f"{self.rows} rows read")
