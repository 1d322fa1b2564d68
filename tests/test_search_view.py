"""The search page: what it finds, how each result reads and links, paging, bad input, caching."""

import datetime as dt
import re

import pytest
import time_machine

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker import search, services
from tracker.search.words import MAX_LENGTH
from tracker.site.search import RESULTS_PER_PAGE

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def record():
    """An occasion, a commitment, a claim on it and the source it cites, all about energy."""
    russia = PartyFactory(name="Russia", name_uk="Росія", slug="russia")
    ukraine = PartyFactory(name="Ukraine", name_uk="Україна", slug="ukraine")
    call = AgreementFactory(
        title="US–Russia phone call on energy",
        title_uk="Телефонна розмова США та Росії про енергетику",
        slug="call",
        venue="By telephone",
    )
    pause = CommitmentFactory(
        agreement=call,
        title="Pause on strikes against energy infrastructure",
        title_uk="Пауза в ударах по енергетичній інфраструктурі",
        slug="energy-pause",
    )
    claim = ComplianceEventFactory(
        commitment=pause,
        claimant=ukraine,
        accused=russia,
        summary="Drones hit energy sites near Sloviansk",
    )
    readout = SourceFactory(title="Energy readout", publisher="Kremlin", url="https://x.org/r")
    call.sources.add(readout)
    return {"agreement": call, "commitment": pause, "claim": claim, "source": readout}


def get(client, query: str = "", language: str = "en", **params):
    params = {"q": query, **params} if query is not None else params
    return client.get("/search/", params, HTTP_ACCEPT_LANGUAGE=language)


def page_of(response) -> str:
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def results(html: str) -> list[str]:
    """Each result's heading link, as ``address: text without markup``."""
    found = re.findall(r'<h2><a href="([^"]+)">(.*?)</a></h2>', html, re.S)
    return [f"{url}: {re.sub(r'<[^>]+>', '', text).strip()}" for url, text in found]


# Finding and showing -------------------------------------------------------------------


def test_an_empty_search_explains_how_to_search(client, record):
    html = page_of(get(client, ""))

    assert "The beginning of a word is enough" in html
    assert results(html) == []
    assert 'class="search-results"' not in html


def test_every_kind_found_says_what_it_is_and_links_where_it_is_shown(client, record):
    html = page_of(get(client, "energy"))

    assert set(results(html)) == {
        "/agreements/call/: US–Russia phone call on energy",
        "/commitments/energy-pause/: Pause on strikes against energy infrastructure",
        f"/commitments/energy-pause/#event-{record['claim'].pk}: "
        "Drones hit energy sites near Sloviansk",
        "/agreements/call/: Energy readout",
    }
    for kind in ("Commitment", "Agreement", "Claim", "Source"):
        assert f'<span class="tag">{kind}</span>' in html
    assert "claimed by Ukraine, against Russia" in html
    assert 'href="https://x.org/r"' in html
    assert "4 results" in html


def test_a_claim_links_to_its_commitment_at_the_claim_and_names_the_commitment(client, record):
    html = page_of(get(client, "sloviansk"))

    assert results(html) == [
        f"/commitments/energy-pause/#event-{record['claim'].pk}: "
        "Drones hit energy sites near Sloviansk"
    ]
    assert "On the commitment: Pause on strikes against energy infrastructure" in html


def test_a_source_cited_only_by_a_claim_links_to_the_claim(client, record):
    cited = SourceFactory(title="Sloviansk photographs")
    record["claim"].sources.add(cited)

    html = page_of(get(client, "photographs"))

    assert results(html) == [
        f"/commitments/energy-pause/#event-{record['claim'].pk}: Sloviansk photographs"
    ]


def test_a_source_cited_by_a_reading_links_to_the_reading(client, record):
    reading = ReadingFactory(commitment=record["commitment"], label="Kremlin's count")
    reading.sources.add(SourceFactory(title="Kremlin decree"))

    html = page_of(get(client, "decree"))

    assert results(html) == [f"/commitments/energy-pause/#reading-{reading.pk}: Kremlin decree"]


def test_the_words_found_are_marked(client, record):
    html = page_of(get(client, "energ infra"))

    assert "Pause on strikes against <mark>energy</mark> <mark>infrastructure</mark>" in html


def test_a_title_is_escaped_before_the_words_are_marked(client, record):
    CommitmentFactory(title='<img src=x onerror="alert(1)"> energy <b>pause</b>')

    html = page_of(get(client, "pause energy"))

    assert "<img" not in html and "<b>pause" not in html
    assert (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>energy</mark> "
        "&lt;b&gt;<mark>pause</mark>&lt;/b&gt;"
    ) in html


def test_results_read_in_the_readers_language_with_english_stand_ins_marked(client, record):
    html = page_of(get(client, "energy", language="uk"))

    assert "Пауза в ударах по енергетичній інфраструктурі" in html
    assert '<span lang="en">Drones hit <mark>energy</mark> sites near Sloviansk</span>' in html
    assert "ще не перекладено" in html


def test_a_search_in_another_language_shows_the_text_that_holds_the_words(client, record):
    html = page_of(get(client, "енергет"))

    assert "/commitments/energy-pause/: Pause on strikes against energy infrastructure" in results(
        html
    )
    assert (
        '<span lang="uk">Пауза в ударах по <mark>енергетичній</mark> інфраструктурі</span>' in html
    )
    assert "In Ukrainian:" in html


def test_a_match_in_the_terms_shows_where_in_the_terms(client, record):
    CommitmentFactory(
        title="Black Sea navigation",
        terms=" ".join(["Ships pass freely."] * 20) + " Ports stay open. " + "Escorts." * 30,
    )

    html = page_of(get(client, "ports"))

    assert "<mark>Ports</mark> stay open" in html
    assert "…" in html


def test_nothing_found_says_so_and_how_to_find_more(client, record):
    html = page_of(get(client, "zebra"))

    assert "Nothing published holds all of “zebra”" in html
    assert "0 results" in html


def test_unpublished_records_are_not_found(client, record, reviewer):
    hidden = CommitmentFactory(title="Draft zebra crossing", is_published=False)

    assert results(page_of(get(client, "zebra"))) == []

    services.publish(hidden, actor=reviewer, reason="Checked")

    assert len(results(page_of(get(client, "zebra")))) == 1


# Kinds and pages ----------------------------------------------------------------------


def test_one_kind_can_be_shown_alone_with_the_count_of_each(client, record):
    html = page_of(get(client, "energy", kind="claim"))

    assert results(html) == [
        f"/commitments/energy-pause/#event-{record['claim'].pk}: "
        "Drones hit energy sites near Sloviansk"
    ]
    assert "Claims (1)" in html and "Commitments (1)" in html and "Sources (1)" in html
    assert 'href="?kind=claim&amp;q=energy" aria-current="true"' in html


def test_results_come_a_page_at_a_time_with_links_that_keep_the_search(client, record):
    for n in range(RESULTS_PER_PAGE + 5):
        ComplianceEventFactory(commitment=record["commitment"], summary=f"Zebra sighting {n}")

    first = page_of(get(client, "zebra"))
    second = page_of(get(client, "zebra", page=2))

    assert len(results(first)) == RESULTS_PER_PAGE
    assert len(results(second)) == 5
    assert not set(results(first)) & set(results(second))
    assert 'href="?page=2&amp;q=zebra" rel="next"' in first
    assert 'href="?page=1&amp;q=zebra" rel="prev"' in second
    assert "page 2 of 2" in second


def test_a_page_past_the_last_is_refused_with_the_reason(client, record):
    response = get(client, "energy", page=3)

    assert response.status_code == 400
    assert "There is no page 3: the results fill 1." in response.content.decode()


def test_more_matches_than_are_ranked_are_said_to_be_more(client, record, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 2)
    for n in range(4):
        ComplianceEventFactory(commitment=record["commitment"], summary=f"Zebra sighting {n}")

    html = page_of(get(client, "zebra"))

    assert "Claims (2+)" in html
    assert "The best of the newest 2 results" in html
    assert "Add a word to narrow the search" in html


# Bad input ------------------------------------------------------------------------------


def test_a_search_too_long_is_refused_with_the_reason_and_no_query(
    client, record, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):  # the version of the record, nothing else
        response = get(client, "energy " * 2000)

    assert response.status_code == 400
    assert (
        f"A search can be at most {MAX_LENGTH} characters long; this one has 14000."
        in response.content.decode()
    )


def test_a_search_of_too_many_words_is_refused_with_the_reason(client, record):
    response = get(client, " ".join(f"word{n}" for n in range(20)))

    assert response.status_code == 400
    assert "A search can have at most 10 words; this one has 20." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        '"energy',
        "energy*",
        "NEAR(energy pause)",
        "energy AND OR NOT",
        "' OR 1=1 --",
        "energy:*",
        "&|! energy",
        "energy\x1b[2J",
        "\\energy'",
        "energy); DROP TABLE tracker_commitment; --",
    ],
)
def test_syntax_of_any_kind_is_only_words(client, record, query):
    response = get(client, query)

    html = page_of(response)
    assert "Pause on strikes against" in html or "Nothing published holds all of" in html


def test_a_search_of_no_letters_or_digits_explains_how_to_search(client, record):
    html = page_of(get(client, "*&|!:\"'"))

    assert "The beginning of a word is enough" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "energy\x00"}, "Null characters are not allowed."),
        ({"q": "energy", "kind": "party"}, "Select a valid choice."),
        ({"q": "energy", "page": "0"}, "Pages are numbered from 1."),
        ({"q": "energy", "page": "9223372036854775807"}, "Pages are numbered from 1 to 40"),
    ],
)
def test_a_bad_address_is_refused_with_the_reason(client, record, params, message):
    response = client.get("/search/", params)

    assert response.status_code == 400
    assert message in response.content.decode()


# Caching -----------------------------------------------------------------------------


def test_a_search_never_outlives_a_change_to_what_it_found(client, record, reviewer):
    found = "/commitments/energy-pause/: Pause on strikes against energy infrastructure"
    assert found in results(page_of(get(client, "energy")))

    pause = record["commitment"]
    pause.title_en = "Pause on strikes against power plants"
    services.save_record(pause, actor=reviewer, reason="Reworded")
    after = page_of(get(client, "energy"))

    assert found not in results(after)
    assert "On the commitment: Pause on strikes against power plants" in after


def test_each_search_is_cached_apart_and_sets_no_cookie(client, record):
    energy = get(client, "energy")
    sloviansk = get(client, "sloviansk")

    assert energy.status_code == sloviansk.status_code == 200
    assert results(energy.content.decode()) != results(sloviansk.content.decode())
    assert not energy.cookies and not sloviansk.cookies
    assert "public" in energy["Cache-Control"]


def test_the_search_box_is_in_every_pages_header(client, record):
    html = client.get("/").content.decode()

    assert '<form class="site-search" role="search" action="/search/" method="get"' in html
