"""Take the README's pictures of the board from the demo data.

    .venv/bin/python docs/screenshots/board.py docs/board.png
    .venv/bin/python docs/screenshots/board.py docs/board-uk.png uk
    .venv/bin/python docs/screenshots/board.py docs/board-phone.png uk phone

(or ``make screenshot``). The demo data is loaded into a throwaway SQLite
database and served from a thread; Debian's Chromium photographs the board as
it stood on 20 June 2025, after the last record in the data, so the picture
changes only when the pages or the data do. A language (en, uk, ru) after the
file name photographs the board as a browser asking for that language sees it, and
``phone`` after it the first screen of a phone (360×740), as a reader in Kyiv meets it.
When ``optipng`` is installed the PNG is squeezed losslessly afterwards.
"""

import datetime as dt
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MOMENT = dt.datetime(2025, 6, 20, 12, tzinfo=dt.UTC)
VIEWPORT = {"width": 1200, "height": 1500}
PHONE = {"width": 360, "height": 740}


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def serve_demo_site():
    """Load the demo data and serve the site on a free local port; return its address."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    site = StaticFilesHandler(get_wsgi_application())
    logging.getLogger("django.request").setLevel(logging.ERROR)  # no favicon, no matter
    server = make_server("127.0.0.1", 0, site, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/"


LOCALES = {"en": "en-GB", "uk": "uk-UA", "ru": "ru-RU"}


def photograph(url: str, output: Path, language: str = "en", viewport: dict = VIEWPORT) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=viewport, locale=LOCALES[language])
        page.goto(url)
        page.screenshot(path=str(output))
        browser.close()


def main(output: Path, language: str = "en", width: str = "desk") -> None:
    import django
    import time_machine

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/demo.sqlite3"
        os.environ["DEBUG"] = "1"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(BASE_DIR))
        django.setup()
        with time_machine.travel(MOMENT, tick=False):
            viewport = PHONE if width == "phone" else VIEWPORT
            photograph(serve_demo_site(), output, language, viewport)
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", "-o5", "-strip", "all", str(output)], check=True)
    print(f"{output}: {output.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    arguments = sys.argv[2:]
    if (
        len(sys.argv) not in (2, 3, 4)
        or arguments[:1]
        and arguments[0] not in LOCALES
        or arguments[1:]
        and arguments[1] not in ("desk", "phone")
    ):
        sys.exit(f"usage: {sys.argv[0]} OUTPUT.png [{'|'.join(LOCALES)} [desk|phone]]")
    main(Path(sys.argv[1]).resolve(), *arguments)
