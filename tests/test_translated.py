"""Records' texts in the reader's language, with English as the marked stand-in
(``tracker.translated`` and the pages that show it)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
)
from tracker import services, translated

NOW = dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC)
MARKERS = {"uk": "ще не перекладено", "ru": "ещё не переведено"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pause():
    """A commitment whose texts are all in English only."""
    russia = PartyFactory(name="Russia", slug="russia")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    agreement = AgreementFactory(title="US–Russia phone call", slug="call", venue="By telephone")
    commitment = CommitmentFactory(
        agreement=agreement,
        title="Pause on strikes against energy infrastructure",
        slug="energy-pause",
        terms="No strikes on energy facilities for 30 days.",
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    ReadingFactory(commitment=commitment, label="Kremlin's count", read_by=russia)
    ComplianceEventFactory(
        commitment=commitment, claimant=ukraine, accused=russia, summary="Drones hit Sloviansk."
    )
    return commitment


def get(client, url: str, language: str):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def pages(pause) -> dict[str, str]:
    return {
        "board": reverse("board"),
        "commitment": pause.get_absolute_url(),
        "agreement": pause.agreement.get_absolute_url(),
        "party": reverse("party", args=["russia"]),
    }


def test_a_text_in_the_readers_language_is_not_a_fallback():
    record = {"title_en": "Pause", "title_uk": "Пауза", "title_ru": None}

    uk, ru, en = (translated.text(record, "title", lang) for lang in ("uk", "ru", "en"))

    assert (uk, uk.language, uk.is_fallback) == ("Пауза", "uk", False)
    assert (ru, ru.language, ru.is_fallback) == ("Pause", "en", True)
    assert (en, en.language, en.is_fallback) == ("Pause", "en", False)


def test_an_empty_text_is_never_marked():
    empty = translated.text({"summary_en": "", "summary_uk": None}, "summary", "uk")

    assert (empty, empty.is_fallback) == ("", False)


@pytest.mark.parametrize("language", ["uk", "ru"])
@pytest.mark.parametrize("page", ["board", "commitment", "agreement", "party"])
def test_english_shown_for_a_missing_translation_is_marked(client, pause, page, language):
    response = get(client, pages(pause)[page], language)

    html = response.content.decode()
    assert response.status_code == 200
    assert MARKERS[language] in html
    assert '<span lang="en">Pause on strikes against energy infrastructure</span>' in html


@pytest.mark.parametrize("page", ["board", "commitment", "agreement", "party"])
def test_an_english_page_marks_nothing(client, pause, page):
    html = get(client, pages(pause)[page], "en").content.decode()

    assert 'class="untranslated"' not in html
    assert "Pause on strikes against energy infrastructure" in html


@pytest.mark.parametrize("page", ["board", "commitment", "agreement", "party"])
def test_a_translated_text_is_shown_in_the_readers_language_unmarked(client, pause, page, reviewer):
    pause.title_uk = "Пауза в ударах по енергетичній інфраструктурі"
    services.save_record(pause, actor=reviewer, reason="Ukrainian title")

    html = get(client, pages(pause)[page], "uk").content.decode()

    assert "Пауза в ударах по енергетичній інфраструктурі" in html
    assert "Pause on strikes against energy infrastructure" not in html


def test_a_translation_made_after_a_page_was_cached_shows_at_once(client, pause, reviewer):
    before = get(client, pause.get_absolute_url(), "uk").content.decode()
    assert '<span lang="en">Russia</span>' in before

    russia = pause.roles.get().party
    russia.name_uk = "Росія"
    services.save_record(russia, actor=reviewer, reason="Ukrainian name")

    board = get(client, reverse("board"), "uk").content.decode()
    page = get(client, pause.get_absolute_url(), "uk").content.decode()
    assert ">Росія<" in board
    assert ">Росія<" in page
    assert ">Russia<" in get(client, reverse("board"), "en").content.decode()


def test_a_cached_board_card_is_kept_per_language(client, pause):
    english = get(client, reverse("board"), "en").content.decode()
    ukrainian = get(client, reverse("board"), "uk").content.decode()

    assert 'class="untranslated"' not in english
    assert MARKERS["uk"] in ukrainian


def test_a_wording_is_quoted_in_its_own_language_and_says_which(client, pause, reviewer):
    reading = pause.readings.get()
    services.update_reading(
        reading,
        actor=reviewer,
        reason="Quoted",
        wording="мораторий на удары по объектам энергетики",
        wording_language="ru",
    )

    html = get(client, pause.get_absolute_url(), "uk").content.decode()

    assert '<blockquote lang="ru"><p>мораторий на удары по объектам энергетики</p>' in html
    assert "Формулювання російською:" in html


def test_a_timeline_tick_is_titled_in_the_readers_language(client, pause, reviewer):
    event = pause.events.get()
    event.summary_uk = "Дрони вдарили по Слов'янську."
    services.save_record(event, actor=reviewer, reason="Ukrainian summary")

    ukrainian = get(client, pause.get_absolute_url(), "uk").content.decode()
    russian = get(client, pause.get_absolute_url(), "ru").content.decode()

    assert "<title>19 березня 2025: Дрони вдарили по Слов&#x27;янську. (" in ukrainian
    assert "<title>19 марта 2025: Drones hit Sloviansk. (" in russian


def test_a_summary_built_before_it_kept_every_language_still_titles_its_tick(client, pause):
    """One web node may still run the previous version while another has migrated."""
    summary = pause.compliance_summary
    summary.days = [
        [day, standing, n, at, text["en"]] for day, standing, n, at, text in summary.days
    ]
    summary.save()

    response = get(client, pause.get_absolute_url(), "uk")

    assert response.status_code == 200
    assert "<title>19 березня 2025: Drones hit Sloviansk. (" in response.content.decode()
