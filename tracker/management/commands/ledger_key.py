"""Make an Ed25519 key for signing the public log's checkpoints."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from tracker.ledger import checkpoints


class Command(BaseCommand):
    help = (
        "Print a new signing key for the public log (PRIVATE+KEY+…), for LEDGER_SIGNING_KEY; "
        "with --create FILE, write it to FILE unless FILE already holds one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--create", metavar="FILE", help="Write the key to FILE, once.")

    def handle(self, *args, create=None, **options):
        if create is None:
            self.stdout.write(checkpoints.new_key_text(settings.LEDGER_ORIGIN))
            return
        path = Path(create)
        if path.exists() and path.read_text().strip():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(checkpoints.new_key_text(settings.LEDGER_ORIGIN) + "\n")
        self.stdout.write(f"A development key for the public log is in {path}.")
