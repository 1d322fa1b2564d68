"""The interface speaks English, Ukrainian and Russian; the records do not change language.

Visitors get their browser's language (Accept-Language) or the one they pick
in the switcher. Only the interface around a record is translated: titles,
terms and claims stay exactly as they were written, so nobody reads a
translation as if it were the source.
"""

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
)
from tracker.models import Category

BASE_DIR = Path(__file__).resolve().parent.parent
TRANSLATED = ["uk", "ru"]
UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)


@pytest.fixture
def pause(db):
    """An energy pause written in English, with a reading and a claim against it."""
    russia = PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")
    commitment = CommitmentFactory(
        title="Pause on strikes against energy infrastructure",
        slug="energy-pause",
        category=Category.ENERGY,
        status="in_force",
        terms="Neither side strikes the other's energy infrastructure for 30 days.",
        agreement=AgreementFactory(title="US–Russia phone call", slug="call"),
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(commitment=commitment, party=ukraine)
    ReadingFactory(
        commitment=commitment,
        label="Kremlin's count",
        read_by=russia,
        starts_at=dt.datetime(2025, 3, 18, tzinfo=UTC),
        ends_at=NOW + dt.timedelta(days=3, hours=4),
    )
    ComplianceEventFactory(
        commitment=commitment,
        claimant=russia,
        accused=ukraine,
        summary="Drones struck a gas metering station.",
    )
    return commitment


def visit(client, path: str, **headers):
    with time_machine.travel(NOW, tick=False):
        return client.get(path, **headers)


def test_a_browser_asking_for_ukrainian_gets_the_interface_in_ukrainian(client, pause):
    response = visit(client, "/", HTTP_ACCEPT_LANGUAGE="uk-UA,uk;q=0.9,en;q=0.5")
    page = response.content.decode()

    assert response["Content-Language"] == "uk"
    assert '<html lang="uk">' in page
    assert "Зобов'язання щодо припинення вогню" in page
    assert "удари по енергетичній інфраструктурі" in page
    assert ">діє<" in page
    assert "завершення через 3 дні 4 год" in page
    assert "Ceasefire commitments" not in page


def test_a_browser_asking_for_russian_gets_the_interface_in_russian(client, pause):
    response = visit(client, "/", HTTP_ACCEPT_LANGUAGE="ru")
    page = response.content.decode()

    assert response["Content-Language"] == "ru"
    assert "Обязательства о прекращении огня" in page
    assert "удары по энергетической инфраструктуре" in page
    assert ">действует<" in page
    assert "окончание через 3 дня 4 ч" in page


def test_a_language_the_site_does_not_speak_falls_back_to_english(client, pause):
    response = visit(client, "/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    assert response["Content-Language"] == "en"
    assert "Ceasefire commitments" in response.content.decode()


def test_the_switcher_remembers_the_chosen_language_over_the_browsers(client, pause):
    response = client.post(
        "/i18n/setlang/", {"language": "ru", "next": "/commitments/energy-pause/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/commitments/energy-pause/"
    assert client.cookies["django_language"].value == "ru"
    page = visit(client, "/commitments/energy-pause/", HTTP_ACCEPT_LANGUAGE="en").content
    assert "История статуса" in page.decode()


def test_the_switcher_ignores_a_language_the_site_does_not_speak(client, pause):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    assert "django_language" not in client.cookies
    assert "Ceasefire commitments" in visit(client, "/").content.decode()


@pytest.mark.parametrize("language", TRANSLATED)
def test_records_stay_in_the_language_they_were_written_in(client, pause, language):
    page = visit(
        client, "/commitments/energy-pause/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert "Pause on strikes against energy infrastructure" in page
    assert "Neither side strikes the other&#x27;s energy infrastructure for 30 days." in page
    assert "Kremlin&#x27;s count" in page
    assert "Drones struck a gas metering station." in page
    assert "US–Russia phone call" in page


def test_a_missing_page_says_so_in_the_visitors_language(client, db):
    response = visit(client, "/commitments/no-such-thing/", HTTP_ACCEPT_LANGUAGE="uk")

    assert response.status_code == 404
    assert "Тут нічого немає" in response.content.decode()


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
