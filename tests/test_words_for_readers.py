"""Words for readers: what the records keep as codes is said in the reader's language.

Zones ("Europe/Moscow"), precisions ("day"), languages of sources ("en"),
shapes ("window") and the reasons the system writes itself ("window ended")
are the tracker's vocabulary, not its readers'. Each page says them as plain
phrases in English, Ukrainian and Russian.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.utils import translation

from tests.factories import CommitmentFactory
from tracker import services, words

UTC = dt.UTC
SUMMER_2025 = dt.datetime(2025, 7, 1, 12, tzinfo=UTC)
PAUSE = "/commitments/energy-strike-pause/"

# What each language says where the tracker keeps a code.
SAID = {
    "en": {
        "shape": "Kind of commitment in force for a set period",
        "stated": "Stated to the day, Moscow time",
        "length": "Length 30 days, by Moscow time",
        "source": "18 March 2025, in English)",
        "wording": "As worded, in English:",
        "expiry": "its agreed period ended",
        "party": "times in its announcements are usually Moscow time",
        "board": "Times are in Kyiv time;",
        "deliverable": "a one-off act, such as an exchange",
    },
    "uk": {
        "shape": "Вид зобов'язання діє протягом визначеного строку",
        "stated": "Зазначено з точністю до дня, за московським часом",
        "length": "Тривалість 30 днів, за московським часом",
        "source": "18 березня 2025, англійською)",
        "wording": "Формулювання англійською:",
        "expiry": "сплив узгоджений строк",
        "party": "час у його заявах зазвичай за московським часом",
        "board": "Час указано за київським часом;",
        "deliverable": "одноразова дія, як-от обмін",
    },
    "ru": {
        "shape": "Вид обязательства действует в течение установленного срока",
        "stated": "Указано с точностью до дня, по московскому времени",
        "length": "Длительность 30 дней, по московскому времени",
        "source": "18 марта 2025, на английском)",
        "wording": "Формулировка на английском:",
        "expiry": "истёк согласованный срок",
        "party": "время в его заявлениях обычно по московскому времени",
        "board": "Время указано по киевскому времени;",
        "deliverable": "разовое действие, например обмен",
    },
}
# What no reader should meet: zone ids, precision codes, bare language codes, the
# system's English reasons and the tracker's own names for shapes.
NEVER = [
    "Europe/Moscow",
    "Europe/Kyiv",
    "America/New_York",
    "day (",
    ", en)",
    "window ended",
    "Shape",
    "Demo data",
]


def text(fragment: str) -> str:
    """What a reader reads: the text without its tags, spaces folded as a browser shows them."""
    fragment = re.sub(r"<(script|style)\b.*?</\1>", " ", fragment, flags=re.S)
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([,.:;)])", r"\1", words))


class TestTheDemoDataInEveryLanguage(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(SUMMER_2025, tick=False):
            call_command("load_demo", stdout=io.StringIO())

    def read(self, url: str, language: str, **query) -> str:
        with time_machine.travel(SUMMER_2025, tick=False):
            response = self.client.get(url, query, headers={"accept-language": language})
        assert response.status_code == 200
        return text(response.content.decode())

    def test_a_commitment_page_says_shape_precision_zone_language_and_reason_in_words(self):
        for language, said in SAID.items():
            with self.subTest(language=language):
                page = self.read(PAUSE, language)
                for key in ("shape", "stated", "length", "source", "wording", "expiry"):
                    assert said[key] in page, (language, key)
                for code in NEVER:
                    assert code not in page, (language, code)

    def test_the_reasons_people_gave_for_status_changes_are_in_the_readers_language(self):
        reasons = {
            "en": "In force from the call on 18 March by the Kremlin",
            "uk": "Діє від розмови 18 березня за підрахунком Кремля",
            "ru": "Действует с разговора 18 марта по подсчёту Кремля",
        }
        for language, reason in reasons.items():
            with self.subTest(language=language):
                with time_machine.travel(SUMMER_2025, tick=False):
                    response = self.client.get(PAUSE, headers={"accept-language": language})
                history = response.content.decode().split('<section id="history"')[1]
                assert reason in history
                assert 'class="untranslated"' not in history

    def test_a_deliverable_is_a_one_off_act(self):
        for language, said in SAID.items():
            with self.subTest(language=language):
                page = self.read("/commitments/exchange-2025-03-19/", language)
                assert said["deliverable"] in page

    def test_a_party_page_says_the_clock_its_announcements_keep(self):
        for language, said in SAID.items():
            with self.subTest(language=language):
                page = self.read("/parties/russia/", language)
                assert said["party"] in page
                assert "Europe/Moscow" not in page

    def test_the_board_names_the_readers_clock_and_the_zone_picker_names_places(self):
        for language, said in SAID.items():
            with self.subTest(language=language):
                with time_machine.travel(SUMMER_2025, tick=False):
                    response = self.client.get(
                        "/", {"tz": "Europe/Kyiv"}, headers={"accept-language": language}
                    )
                page = response.content.decode()
                assert said["board"] in text(page)
                (picker,) = re.findall(r'<select[^>]*name="tz"[^>]*>(.*?)</select>', page, re.S)
                assert 'value="Europe/Kyiv" selected' in picker
                assert ">Europe/Kyiv<" not in picker and "(Europe/Kyiv)" not in picker

    def test_the_changelog_says_the_demo_load_in_the_readers_language(self):
        for language in SAID:
            with self.subTest(language=language):
                assert "Demo data" not in self.read("/changes/", language)


@pytest.mark.parametrize(
    ("language", "english", "ukrainian", "unknown"),
    [
        ("en", "in English", "in Ukrainian", "in the language “Japanese”"),
        ("uk", "англійською", "українською", "мовою «Японська»"),
        ("ru", "на английском", "на украинском", "на языке «Японский»"),
    ],
)
def test_a_language_code_is_a_phrase(language, english, ukrainian, unknown):
    with translation.override(language):
        assert words.in_language("en") == english
        assert words.in_language("en-GB") == english
        assert words.in_language("UK") == ukrainian
        assert words.in_language("ja") == unknown
        assert words.in_language("") == ""
        assert words.in_language("zz-top") == words.in_language("zz-top")  # no error


@pytest.mark.parametrize(
    ("language", "stored", "shown"),
    [
        ("en", "window ended", "its agreed period ended"),
        ("uk", "window ended", "сплив узгоджений строк"),
        ("ru", "window ended", "истёк согласованный срок"),
        ("uk", "Correction: Typo in the date", "Виправлення: Typo in the date"),
        ("ru", "Extended: by a week", "Продлено: by a week"),
        ("uk", "Correction: window ended", "Виправлення: сплив узгоджений строк"),
        ("uk", "Talks broke down", "Talks broke down"),
        ("uk", "Correction: ", "Correction: "),
    ],
)
def test_reasons_the_system_wrote_are_translated_and_peoples_are_kept(language, stored, shown):
    with translation.override(language):
        assert words.reason_for_readers(stored) == shown


@pytest.mark.django_db
def test_a_reason_not_yet_translated_is_marked_as_english(client):
    pause = CommitmentFactory(title="Pause", slug="pause", status="in_force")
    services.change_status(
        pause,
        "suspended",
        actor=services.IMPORT,
        reason="Talks broke down",
        reason_in={"reason_uk": "Переговори зірвалися"},
    )

    ukrainian = client.get("/commitments/pause/", headers={"accept-language": "uk"})
    russian = client.get("/commitments/pause/", headers={"accept-language": "ru"})

    assert ">Переговори зірвалися</td>" in ukrainian.content.decode()
    assert '<span lang="en">Talks broke down</span> <small class="untranslated">' in (
        russian.content.decode()
    )


def test_the_services_write_the_reasons_the_words_know():
    from tracker.demo import loader

    assert services.WINDOW_ENDED in words.SYSTEM_REASONS
    assert loader.REASON in words.SYSTEM_REASONS
