"""Check the public log of a tracker (this one by default) as an outsider would.

The same checks as the standalone ``tools/verify_ledger.py``, which is what it runs.
"""

import importlib.util
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SCRIPT = settings.BASE_DIR / "tools" / "verify_ledger.py"


def verifier():
    spec = importlib.util.spec_from_file_location("verify_ledger", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("verify_ledger", module)
    spec.loader.exec_module(module)
    return module


class Command(BaseCommand):
    help = (
        "Check a tracker's public log from outside: the checkpoint's signature, the root "
        "recomputed from the entries, consistency with a saved checkpoint, and that the public "
        "API shows each record as its latest entry."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", nargs="?", default=settings.SITE_URL)
        parser.add_argument("--since", metavar="FILE")
        parser.add_argument("--save", metavar="FILE")
        parser.add_argument("--key")

    def handle(self, *args, url, since=None, save=None, key=None, **options):
        module = verifier()
        try:
            problems = module.verify(
                url, since=since, save=save, key=key, say=lambda t: self.stdout.write(t)
            )
        except (module.Unreadable, KeyError, ValueError, OSError) as exc:
            raise CommandError(f"The log could not be read: {exc}") from exc
        if problems:
            raise CommandError(f"{len(problems)} mismatch(es) found.")
        self.stdout.write("All checks passed.")
