"""Take the README's picture of the regions page (/regions/) from the demo data.

    .venv/bin/python docs/screenshots/map.py docs/map.png

(or ``make screenshot``). The same set-up as the board's pictures (``board.py``):
the demo data in a throwaway SQLite database, served from a thread, photographed
by Debian's Chromium as it stood on 20 June 2025.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from board import BASE_DIR, LOCALES, MOMENT, photograph, serve_demo_site

VIEWPORT = {"width": 1200, "height": 1000}


def main(output: Path, language: str = "en") -> None:
    import django
    import time_machine

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/demo.sqlite3"
        os.environ["DEBUG"] = "1"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(BASE_DIR))
        django.setup()
        with time_machine.travel(MOMENT, tick=False):
            photograph(serve_demo_site() + "regions/", output, language, VIEWPORT)
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", "-o5", "-strip", "all", str(output)], check=True)
    print(f"{output}: {output.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3) or sys.argv[2:] and sys.argv[2] not in LOCALES:
        sys.exit(f"usage: {sys.argv[0]} OUTPUT.png [{'|'.join(LOCALES)}]")
    main(Path(sys.argv[1]).resolve(), *sys.argv[2:])
