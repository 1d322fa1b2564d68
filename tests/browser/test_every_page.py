"""Every kind of public page, in every language, at a phone's width and at a desk's.

The demo data (the longest titles and names a reader meets) is loaded as
``make run`` loads it, and each page is opened in Chromium at 360 px and at
1280 px wide: nothing may scroll sideways (the page is no wider than the
window), and axe-core finds no serious problem, scrollable regions that the
keyboard cannot reach included.
"""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from tests.browser.support import accessibility_problems, save_screenshot

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "uk": "uk-UA", "ru": "ru-RU"}
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}

# (address, status): one of each kind of public page.
PAGES = [
    ("/", 200),
    ("/?category=prisoners&party=russia", 200),
    ("/agreements/istanbul-talks-2025-06-02/", 200),
    ("/commitments/energy-strike-pause/", 200),
    ("/commitments/exchange-1000-for-1000/", 200),
    ("/parties/russia/", 200),
    ("/changes/", 200),
    ("/search/", 200),
    ("/search/?q=energy", 200),
    ("/regions/", 200),
    ("/regions/UA-59/", 200),
    ("/as-of/2025-06-22/", 200),
    ("/commitments/energy-strike-pause/?as_of=2025-06-22", 200),
    ("/as-of/2025-04-01/?known=now", 200),
    ("/commitments/energy-strike-pause/?as_of=2025-04-01&known=now", 200),
    ("/as-of/2025-01-01/", 404),
    ("/alerts/subscribe/", 200),
    ("/alerts/confirm/not-a-token/", 400),
    ("/alerts/unsubscribe/not-a-token/", 404),
    ("/embed/commitments/energy-strike-pause/", 200),
    ("/data/", 200),
    ("/no-such-page/", 404),
    ("/?status=no-such-status", 400),
]


LOADED = dt.datetime(2025, 6, 20, 12, tzinfo=dt.UTC)


@pytest.fixture
def frozen_now():
    """Five days after the demo data was loaded, so the board has past days to show."""
    moment = LOADED + dt.timedelta(days=5)
    with time_machine.travel(moment, tick=False):
        yield moment


@pytest.fixture
def demo(transactional_db, frozen_now):
    """The demo data, loaded as ``make run`` loads it just after its last record."""
    with time_machine.travel(LOADED, tick=False):
        call_command("load_demo", stdout=io.StringIO())


def overflow(page) -> str:
    """What sticks out sideways, or "" when the page is no wider than the window."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.scrollWidth, room = window.innerWidth;
            if (width <= room) return "";
            const wide = [...document.querySelectorAll("body *")]
                .filter(el => el.getBoundingClientRect().right > room + 0.5)
                .slice(0, 5).map(el => el.tagName + "." + el.className);
            return `${width} px wide in ${room}: ${wide.join(", ")}`;
        }"""
    )


def walk(open_tab, language: str, viewport: dict) -> list[str]:
    page = open_tab(LOCALES[language])
    page.set_viewport_size(viewport)
    problems = []
    for path, status in PAGES:
        response = page.goto(path)
        where = f"{language} {viewport['width']} px {path}"
        if response.status != status:
            problems.append(f"{where}: answered {response.status}, not {status}")
        if wide := overflow(page):
            problems.append(f"{where}: {wide}")
            save_screenshot(page, f"overflow-{language}-{viewport['width']}-{path.strip('/')}")
        problems += [f"{where}: {problem}" for problem in accessibility_problems(page)]
    return problems


@pytest.mark.parametrize("language", LOCALES)
def test_every_page_fits_a_phone_and_passes_the_accessibility_check(open_tab, demo, language):
    problems = walk(open_tab, language, PHONE)

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LOCALES)
def test_every_page_fits_a_desk_and_passes_the_accessibility_check(open_tab, demo, language):
    problems = walk(open_tab, language, DESK)

    assert not problems, "\n".join(problems)


def bottom(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"]


@pytest.mark.parametrize("language", LOCALES)
def test_a_phones_first_screen_shows_the_headline_and_the_first_commitment(
    open_tab, demo, language
):
    page = open_tab(LOCALES[language])
    page.set_viewport_size(PHONE)
    page.goto("/")

    first = page.locator("article.card").first
    assert bottom(page.locator(".glance")) <= PHONE["height"]
    assert bottom(first.locator(".card-head")) <= PHONE["height"], (
        "the first card's title and status"
    )
    save_screenshot(page, f"phone-first-screen-{language}")


@pytest.mark.parametrize("language", LOCALES)
def test_the_language_and_zone_menu_works_on_a_phone_without_script(open_tab, demo, language):
    page = open_tab(LOCALES[language], javascript=False)
    page.set_viewport_size(PHONE)
    page.goto("/commitments/energy-strike-pause/")

    page.locator(".reader-menu summary").click()
    assert overflow(page) == ""
    page.locator("#zone-select").select_option("Europe/Kyiv")
    page.locator(".zone-form button").click()

    assert page.url.endswith("/commitments/energy-strike-pause/?tz=Europe%2FKyiv")
    page.locator(".reader-menu summary").click()
    page.locator("#language-select").select_option("en")
    page.locator(".language-form button").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Kyiv" in page.locator(".reader-menu summary").inner_text()


EMBED = {"width": 400, "height": 340}


def embed_problems(page, path: str, where: str) -> list[str]:
    """What does not fit in the embed's suggested frame: its size, and the link back."""
    page.goto(path)
    size = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    problems = []
    if size[0] > EMBED["width"] or size[1] > EMBED["height"]:
        problems.append(f"{where}: {size[0]}×{size[1]} px")
    if bottom(page.locator(".embed-more a")) > EMBED["height"]:
        problems.append(f"{where}: the link back is cut off")
    return problems


@pytest.mark.parametrize("language", LOCALES)
def test_every_embedded_card_fits_its_suggested_frame(open_tab, demo, language):
    from tracker import public

    slugs = list(public.commitments().values_list("slug", flat=True))
    page = open_tab(LOCALES[language])
    page.set_viewport_size(EMBED)
    problems = []
    for slug in slugs:
        where = f"{language} {slug}"
        problems += embed_problems(page, f"/embed/commitments/{slug}/", where)
        problems += [f"{where}: {problem}" for problem in accessibility_problems(page)]

    assert not problems, "\n".join(problems)


@pytest.fixture
def long_names(demo):
    """A commitment with the longest title there may be, between parties with long names."""
    from tests.factories import (
        CommitmentFactory,
        CommitmentPartyFactory,
        ComplianceEventFactory,
        PartyFactory,
        ReadingFactory,
    )

    with time_machine.travel(LOADED, tick=False):
        title = ("Temporary humanitarian pause on strikes against civilian energy " * 4)[:200]
        commitment = CommitmentFactory(title=title, slug="long-title", status="in_force")
        parties = [
            PartyFactory(name=f"Provisional Joint Coordination Centre number {n} for Monitoring")
            for n in range(3)
        ]
        for party in parties:
            CommitmentPartyFactory(commitment=commitment, party=party)
        ReadingFactory(
            commitment=commitment,
            starts_at=LOADED - dt.timedelta(days=3),
            ends_at=LOADED + dt.timedelta(days=20),
        )
        for claimant, accused in [(0, 1), (1, 0), (2, 0)]:
            ComplianceEventFactory(
                commitment=commitment,
                claimant=parties[claimant],
                accused=parties[accused],
                occurred_at=LOADED - dt.timedelta(days=1),
            )
    return commitment


@pytest.mark.parametrize("language", LOCALES)
def test_an_embedded_card_with_a_very_long_title_and_names_fits_with_every_side_or_none(
    open_tab, long_names, language
):
    page = open_tab(LOCALES[language])
    page.set_viewport_size(EMBED)

    problems = embed_problems(page, "/embed/commitments/long-title/", language)

    save_screenshot(page, f"embed-long-title-{language}")
    assert not problems, "\n".join(problems)
    # Whole, in smaller type; the sides do not all fit too, so one line counts them all.
    text = " ".join(page.locator("main").inner_text().split())
    assert " ".join(long_names.title.split()) in text
    assert page.locator(".tallies li").count() == 0
    assert page.locator(".tallies-in-all").count() == 1


# The words of an element that the browser split across two lines.
SPLIT_WORDS = """(selector) => {
    const split = [];
    for (const cell of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const word of node.data.matchAll(/\\S+/g)) {
                const range = document.createRange();
                range.setStart(node, word.index);
                range.setEnd(node, word.index + word[0].length);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (lines.size > 1) split.push(word[0]);
            }
        }
    }
    return split;
}"""


@pytest.mark.parametrize("language", LOCALES)
def test_the_table_of_regions_reads_whole_words_on_a_phone_and_every_column_at_a_desk(
    open_tab, demo, language
):
    page = open_tab(LOCALES[language])
    page.set_viewport_size(PHONE)
    page.goto("/regions/")
    table = page.locator(".region-table")

    # On a phone: the whole table in the page's own scroll, no word cut in two.
    height, room = table.evaluate("box => [box.scrollHeight, box.clientHeight]")
    assert height <= room, f"the table scrolls inside a box {room} px tall"
    assert page.evaluate(SPLIT_WORDS, ".region-table tbody th, .region-table tbody td") == []

    # At a desk: every column shows, none hidden past the box's edge.
    page.set_viewport_size(DESK)
    page.goto("/regions/")
    width, room = table.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert width <= room, f"{width - room} px of the table are cut off"
    save_screenshot(page, f"regions-desk-{language}")
