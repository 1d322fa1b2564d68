"""The interface speaks English, Ukrainian and Russian; the records do not change language.

Visitors get their browser's language (Accept-Language) or the one they pick
in the switcher. Only the interface around a record is translated: titles,
terms and claims stay exactly as they were written, so nobody reads a
translation as if it were the source.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
TRANSLATED = ["uk", "ru"]


def catalogue(base: Path, language: str) -> Path:
    return base / "locale" / language / "LC_MESSAGES" / "django.po"


def entries_left_to_translate(po_file: Path) -> str:
    """The untranslated and fuzzy entries of a catalogue, as gettext prints them."""
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po_file)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(po_file)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return untranslated + fuzzy


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_interface_string_is_translated(language):
    po_file = catalogue(BASE_DIR, language)
    assert po_file.exists(), f"{po_file} is missing: run makemessages -l {language}"
    left = entries_left_to_translate(po_file)
    assert not left, f"translate these entries in {po_file}:\n{left}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogues_compile_with_matching_placeholders(language, tmp_path):
    """msgfmt --check refuses a translation whose %(name)s placeholders differ."""
    result = subprocess.run(
        [
            "msgfmt",
            "--check",
            "-o",
            str(tmp_path / "django.mo"),
            str(catalogue(BASE_DIR, language)),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_catalogues_hold_every_string_the_interface_uses(tmp_path):
    """A string added to a template or to the code must come with its translations.

    Extracts the strings again in a copy of the project and checks that the
    catalogues gain nothing new to translate.
    """
    for name in ("config", "tracker", "templates", "locale"):
        if (BASE_DIR / name).is_dir():
            shutil.copytree(
                BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
            )
    shutil.copy(BASE_DIR / "manage.py", tmp_path / "manage.py")

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *(f"-l{code}" for code in TRANSLATED)],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )

    for language in TRANSLATED:
        left = entries_left_to_translate(catalogue(tmp_path, language))
        assert not left, (
            f"new or changed interface strings: run `manage.py makemessages -l {language} "
            f"--ignore=.venv` and translate them:\n{left}"
        )
