"""Make the README's picture of a share image from the demo data.

    .venv/bin/python docs/screenshots/card.py docs/card.png

(or ``make screenshot``). The demo data is loaded into a throwaway SQLite
database and the energy pause's card is asked for at its public address, as
a link preview would ask for it, on 20 June 2025, after the last record in
the data, so the picture changes only when the card or the data do.
"""

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
MOMENT = dt.datetime(2025, 6, 20, 12, tzinfo=dt.UTC)
ADDRESS = "/commitments/energy-strike-pause/card.png"


def main(output: Path) -> None:
    import django
    import time_machine

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/demo.sqlite3"
        os.environ["DEBUG"] = "1"
        # The address printed at the foot of the card: an example, not a real site.
        os.environ["SITE_URL"] = "https://tracker.example.org"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(BASE_DIR))
        django.setup()
        from django.core.management import call_command
        from django.test import Client

        with time_machine.travel(MOMENT, tick=False):
            call_command("migrate", verbosity=0)
            call_command("load_demo", verbosity=0)
            response = Client().get(ADDRESS, headers={"accept-language": "en"})
    if response.status_code != 200:
        sys.exit(f"{ADDRESS} answered {response.status_code}")
    output.write_bytes(response.content)
    print(f"{output}: {output.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUTPUT.png")
    main(Path(sys.argv[1]).resolve())
