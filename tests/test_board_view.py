"""The board: every published commitment at a glance, grouped by agreement."""

import datetime as dt
import re
from contextlib import contextmanager

import pytest
import time_machine
from django.core.cache import cache

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
)
from tracker import summaries
from tracker.models import Agreement, Category
from tracker.site import cards, views

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)


@pytest.fixture
def russia(db):
    return PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")


@pytest.fixture
def ukraine(db):
    return PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")


def energy_pause(russia, ukraine, **fields):
    commitment = CommitmentFactory(
        title="Pause on strikes against energy infrastructure",
        slug="energy-pause",
        agreement=AgreementFactory(title="US–Russia phone call", slug="call"),
        **fields,
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(commitment=commitment, party=ukraine)
    ReadingFactory(
        commitment=commitment,
        starts_at=dt.datetime(2025, 3, 18, tzinfo=UTC),
        ends_at=NOW + dt.timedelta(days=3, hours=4),
    )
    return commitment


@contextmanager
def patch_render_to_string(rendered: list):
    """Note which commitments' cards are rendered, rather than taken from the cache."""
    original = cards.render_to_string

    def noting(template, context=None, request=None):
        if template == "tracker/_commitment_card.html":
            rendered.append(context["commitment"].pk)
        return original(template, context, request)

    cards.render_to_string = noting
    try:
        yield
    finally:
        cards.render_to_string = original


def get_board(client, query="", now=NOW):
    with time_machine.travel(now, tick=False):
        return client.get(f"/{query}")


def text_of(response) -> str:
    """The page's words, without its markup."""
    return " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())


def cards_in(html: str) -> list[str]:
    """The titles of the cards, in the order they come."""
    return re.findall(r'<h3 id="commitment-\d+"><a href="[^"]*">([^<]*)</a>', html)


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_board_shows_each_published_commitment_with_its_parties_status_and_countdown(
    client, russia, ukraine
):
    energy_pause(russia, ukraine)

    page = get_board(client).content.decode()

    assert "US–Russia phone call" in page
    assert "Pause on strikes against energy infrastructure" in page
    assert "energy-infrastructure strikes" in page
    assert ">Russia</a>, <a" in page
    assert "in force" in page
    assert "ends in 3 days 4 h" in page


def test_status_is_written_out_not_only_coloured(client, russia, ukraine):
    energy_pause(russia, ukraine, status="suspended")

    page = get_board(client).content.decode()

    assert '<span class="status status-suspended">' in page
    assert "Status: </span>suspended" in page


def test_countdowns_cover_ended_and_open_windows(client, db):
    ended = CommitmentFactory(title="Old pause")
    ReadingFactory(commitment=ended, ends_at=NOW - dt.timedelta(days=12))
    open_ended = CommitmentFactory(title="Open pause")
    ReadingFactory(commitment=open_ended, ends_at=None, is_open_ended=True)

    page = get_board(client).content.decode()

    assert "ended 12 days ago" in page
    assert "no end date" in page


def test_commitments_are_grouped_under_their_agreement(client, db):
    riyadh = AgreementFactory(title="Riyadh talks", held_on=dt.date(2025, 3, 25))
    istanbul = AgreementFactory(title="Istanbul talks", held_on=dt.date(2025, 5, 16))
    CommitmentFactory(agreement=riyadh, title="Safe navigation in the Black Sea")
    CommitmentFactory(agreement=istanbul, title="Exchange of 1,000 prisoners for 1,000")
    CommitmentFactory(agreement=riyadh, title="Measures against energy strikes")

    page = get_board(client).content.decode()

    order = [
        page.index(text)
        for text in (
            "Istanbul talks",
            "Exchange of 1,000",
            "Riyadh talks",
            "Measures against energy strikes",
            "Safe navigation",
        )
    ]
    assert order == sorted(order)
    assert page.count("Riyadh talks") == 1


def test_unpublished_commitments_and_agreements_stay_off_the_board(client, db):
    CommitmentFactory(title="Draft commitment", is_published=False)
    CommitmentFactory(
        title="Commitment of a draft agreement",
        agreement=AgreementFactory(title="Draft talks", is_published=False),
    )

    page = get_board(client).content.decode()

    assert "Draft commitment" not in page
    assert "Draft talks" not in page
    assert "Commitment of a draft agreement" not in page
    assert "No commitments have been published yet." in page


def test_compliance_summary_says_who_claims_against_whom_alleged_and_verified(
    client, russia, ukraine
):
    pause = energy_pause(russia, ukraine)
    ComplianceEventFactory.create_batch(2, commitment=pause, claimant=ukraine, accused=russia)
    ComplianceEventFactory(
        commitment=pause, claimant=russia, accused=ukraine, verification="verified"
    )
    ComplianceEventFactory(commitment=pause, claimant=russia, accused=ukraine, is_published=False)

    page = text_of(get_board(client))

    assert "Claimed by Ukraine against Russia: 2 alleged, 0 verified" in page
    assert "Claimed by Russia against Ukraine: 0 alleged, 1 verified" in page
    assert "Russia 0 1" not in page


def test_daily_strip_marks_days_with_alleged_and_verified_reports(client, russia, ukraine):
    pause = energy_pause(russia, ukraine)
    ComplianceEventFactory(
        commitment=pause, claimant=ukraine, occurred_at=dt.datetime(2025, 3, 19, 2, tzinfo=UTC)
    )
    ComplianceEventFactory(
        commitment=pause,
        claimant=russia,
        accused=ukraine,
        occurred_at=dt.datetime(2025, 3, 28, 9, tzinfo=UTC),
        verification="verified",
    )
    ComplianceEventFactory(
        commitment=pause,
        claimant=russia,
        occurred_at=dt.datetime(2025, 3, 30, 9, tzinfo=UTC),
        verification="refuted",
    )

    page = get_board(client).content.decode()

    assert "<svg" in page
    assert "<title>19 March 2025: alleged violation</title>" in page
    assert "<title>28 March 2025: verified violation</title>" in page
    assert "<title>30 March 2025" not in page  # a refuted claim marks nothing
    assert 'class="strip-none"' in page and 'class="strip-future"' in page
    assert page.count('class="strip-mark"') == 2  # titles only where there is something to say
    assert "1 day with alleged violations, 1 with verified violations" in page


def test_filters_by_status_category_and_party_are_plain_links(client, russia, ukraine):
    energy_pause(russia, ukraine)
    exchange = CommitmentFactory(
        title="Prisoner exchange", category=Category.PRISONERS, status="fulfilled"
    )
    CommitmentPartyFactory(commitment=exchange, party=ukraine)

    page = get_board(client).content.decode()
    assert 'href="?status=fulfilled"' in page
    assert 'href="?category=prisoners"' in page
    assert 'href="?party=russia"' in page

    by_status = get_board(client, "?status=fulfilled").content.decode()
    by_category = get_board(client, "?category=energy").content.decode()
    by_party = get_board(client, "?party=russia").content.decode()

    assert "Prisoner exchange" in by_status and "Pause on strikes" not in by_status
    assert "Pause on strikes" in by_category and "Prisoner exchange" not in by_category
    assert "Pause on strikes" in by_party and "Prisoner exchange" not in by_party
    assert "1 commitment" in by_party
    assert "Clear all filters" in by_party


def test_filter_links_keep_the_other_filters(client, russia, ukraine):
    energy_pause(russia, ukraine)

    page = get_board(client, "?category=energy").content.decode()

    assert 'href="?category=energy&amp;status=in_force"' in page
    assert 'href="?party=russia&amp;status=in_force"' not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?status=bogus", "“bogus” is not a status."),
        ("?category=weather", "“weather” is not a category."),
        ("?party=atlantis", "There is no party called “atlantis”."),
        ("?party=not%20a%20slug", "Enter a valid “slug”"),
    ],
)
def test_bad_filter_values_get_a_clear_400(client, db, query, message):
    response = get_board(client, query)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Ceasefire Commitment Tracker" in response.content.decode()


def test_board_offers_the_alert_subscription_and_a_language_switcher(client, db):
    response = get_board(client)

    assert "alerts/subscribe_form.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert '<label for="language-select">Language</label>' in page


def build_board(count: int, russia, ukraine):
    for _ in range(count):
        commitment = CommitmentFactory(agreement=AgreementFactory())
        CommitmentPartyFactory(commitment=commitment, party=russia)
        CommitmentPartyFactory(commitment=commitment, party=ukraine)
        ReadingFactory(commitment=commitment)
        ReadingFactory(commitment=commitment, is_working=False, label="Other count")
        ComplianceEventFactory.create_batch(3, commitment=commitment, claimant=ukraine)


def test_board_runs_a_fixed_number_of_queries_whatever_the_data_size(
    client, russia, ukraine, django_assert_max_num_queries
):
    build_board(2, russia, ukraine)
    with django_assert_max_num_queries(7):
        small = get_board(client)
    cache.clear()

    build_board(20, russia, ukraine)
    with django_assert_max_num_queries(7):
        large = get_board(client)

    assert small.content.decode().count('class="card"') == 2
    assert large.content.decode().count('class="card"') == 22


def agreements_with_one_commitment_each(count: int, russia, ukraine, **fields):
    """Agreements held a day apart, newest last, each with one commitment bound on both sides."""
    for n in range(count):
        commitment = CommitmentFactory(
            title=f"Commitment {n + 1:02}",
            agreement=AgreementFactory(
                title=f"Agreement {n + 1:02}", held_on=dt.date(2025, 1, 1) + dt.timedelta(days=n)
            ),
            **fields,
        )
        CommitmentPartyFactory(commitment=commitment, party=russia)
        CommitmentPartyFactory(commitment=commitment, party=ukraine)
        ReadingFactory(commitment=commitment)


def test_the_board_lists_the_newest_agreements_first_a_page_at_a_time(client, russia, ukraine):
    agreements_with_one_commitment_each(35, russia, ukraine)

    first = get_board(client).content.decode()
    second = get_board(client, "?page=2").content.decode()

    assert first.count('class="card"') == 24
    assert "Agreement 35" in first and "Agreement 12" in first
    assert "Agreement 11" not in first
    assert "35 commitments · page 1 of 2" in first
    assert '<a href="?page=2" rel="next">Older agreements</a>' in first
    assert second.count('class="card"') == 11
    assert "Agreement 11" in second and "Agreement 01" in second
    assert '<a href="?page=1" rel="prev">Newer agreements</a>' in second


def test_the_page_links_keep_the_filters(client, russia, ukraine):
    agreements_with_one_commitment_each(35, russia, ukraine, status="suspended")

    page = get_board(client, "?status=suspended&party=russia").content.decode()

    assert '<a href="?page=2&amp;party=russia&amp;status=suspended" rel="next">' in page


def test_a_board_that_fits_on_one_page_shows_no_page_links(client, russia, ukraine):
    agreements_with_one_commitment_each(3, russia, ukraine)

    page = get_board(client).content.decode()

    assert 'rel="next"' not in page
    assert "page 1 of" not in page


def test_the_commitments_of_one_agreement_stay_on_one_page(client, russia, ukraine):
    agreements_with_one_commitment_each(23, russia, ukraine)
    for n in (2, 3):
        CommitmentFactory(
            title=f"Commitment {n} of agreement 01",
            agreement=Agreement.objects.get(title="Agreement 01"),
        )

    first = get_board(client).content.decode()
    second = get_board(client, "?page=2").content.decode()

    assert first.count('class="card"') == 22  # agreement 01's three would make it 25
    assert second.count('class="card"') == 3
    assert "Commitment 2 of agreement 01" in second and "Commitment 3 of agreement 01" in second


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?page=3", "There is no page 3: the commitments fill 2."),
        ("?page=0", "Pages are numbered from 1."),
        ("?page=last", "The page number must be a whole number."),
    ],
)
def test_a_page_that_does_not_exist_is_a_clear_error(client, russia, ukraine, query, message):
    agreements_with_one_commitment_each(35, russia, ukraine)

    response = get_board(client, query)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_page_past_the_end_is_not_remembered_as_a_valid_page(client, russia, ukraine):
    agreements_with_one_commitment_each(3, russia, ukraine)
    assert get_board(client, "?page=2").status_code == 400

    agreements_with_one_commitment_each(30, russia, ukraine)

    assert get_board(client, "?page=2").status_code == 200


def test_the_listing_is_rendered_once_per_version_and_then_served_from_the_cache(
    client, russia, ukraine, django_assert_max_num_queries
):
    energy_pause(russia, ukraine)
    first = get_board(client)

    with django_assert_max_num_queries(2):
        second = get_board(client)

    assert "tracker/_board_listing.html" in [t.name for t in first.templates]
    assert "tracker/_board_listing.html" not in [t.name for t in second.templates]
    assert "Pause on strikes against energy infrastructure" in second.content.decode()


def test_a_day_precision_report_is_drawn_on_the_day_its_source_meant(client, russia, ukraine):
    pause = energy_pause(russia, ukraine)
    kyiv_midnight_of_20_march = dt.datetime(2025, 3, 19, 22, tzinfo=UTC)
    ComplianceEventFactory(
        commitment=pause, claimant=ukraine, occurred_at=kyiv_midnight_of_20_march, precision="day"
    )

    page = get_board(client).content.decode()

    assert "<title>20 March 2025: alleged violation</title>" in page
    assert "<title>19 March 2025" not in page


def test_the_boards_weight_does_not_grow_with_the_claims(client, russia, ukraine):
    pause = energy_pause(russia, ukraine)
    ComplianceEventFactory(commitment=pause, claimant=ukraine, accused=russia)
    light = len(get_board(client).content)

    with summaries.deferred():
        for day in range(1, 15):
            ComplianceEventFactory.create_batch(
                20,
                commitment=pause,
                claimant=ukraine,
                accused=russia,
                occurred_at=dt.datetime(2025, 3, 18, 6, tzinfo=UTC) + dt.timedelta(days=day),
            )
    cache.clear()
    heavy = len(get_board(client).content)

    assert heavy - light < 2_000  # a mark per run of days with claims, not a row per claim


def test_a_new_claim_renders_the_card_of_its_commitment_again_and_no_other(client, russia, ukraine):
    pause = energy_pause(russia, ukraine)
    quiet = CommitmentFactory(title="Black Sea navigation", agreement=pause.agreement)
    get_board(client)

    rendered = []
    with patch_render_to_string(rendered):
        ComplianceEventFactory(commitment=pause, claimant=ukraine, accused=russia)
        page = get_board(client).content.decode()

    assert rendered == [pause.pk]
    assert "Black Sea navigation" in page and quiet.title in page
    assert "1 day with alleged violations" in page


# At a glance ------------------------------------------------------------------------------


def deliverable(title: str, due: dt.datetime, **fields):
    commitment = CommitmentFactory(title=title, shape="deliverable", **fields)
    ReadingFactory(commitment=commitment, starts_at=None, ends_at=None, due_at=due)
    return commitment


def test_the_headline_counts_what_is_in_force_ends_soon_is_overdue_and_was_verified_lately(
    client, russia, ukraine
):
    pause = energy_pause(russia, ukraine)  # in force, ends in 3 days 4 h
    deliverable("Prisoner exchange", NOW - dt.timedelta(minutes=5))
    CommitmentFactory(title="Black Sea talks", status="announced")
    ComplianceEventFactory(
        commitment=pause, claimant=ukraine, accused=russia, verification="verified"
    )
    ComplianceEventFactory(commitment=pause, claimant=russia, accused=ukraine)

    glance = section(get_board(client).content.decode(), "glance-heading")

    items = re.findall(r"<li[^>]*>(.*?)</li>", glance, re.S)
    figures = [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]
    assert figures == [
        "2 in force",
        "1 ends or falls due within 7 days",
        "1 overdue",
        "1 verified violation in the last 30 days",
    ]


def test_what_needs_attention_comes_first_most_pressing_first_and_only_once(
    client, russia, ukraine
):
    energy_pause(russia, ukraine)  # ends in 3 days 4 h
    deliverable("Exchange due in 7 minutes", NOW + dt.timedelta(minutes=7))
    deliverable("Exchange overdue", NOW - dt.timedelta(days=2))
    verified = CommitmentFactory(title="Pause with a verified violation")
    ReadingFactory(commitment=verified, ends_at=NOW + dt.timedelta(days=60))
    ComplianceEventFactory(commitment=verified, verification="verified", claimant=ukraine)
    quiet = CommitmentFactory(title="Quiet pause")
    ReadingFactory(commitment=quiet, ends_at=NOW + dt.timedelta(days=60))
    deliverable("Exchange done", NOW - dt.timedelta(days=2), status="fulfilled")

    html = get_board(client).content.decode()

    assert cards_in(section(html, "attention-heading")) == [
        "Exchange overdue",
        "Exchange due in 7 minutes",
        "Pause on strikes against energy infrastructure",
        "Pause with a verified violation",
    ]
    rest = cards_in(html[html.index("</section>", html.index('id="attention-heading"')) :])
    assert sorted(rest) == ["Exchange done", "Quiet pause"]
    assert "6 commitments" in text_of(get_board(client))


def test_a_card_away_from_its_agreement_names_the_agreement(client, russia, ukraine):
    energy_pause(russia, ukraine)

    attention_group = section(get_board(client).content.decode(), "attention-heading")

    assert 'class="meta card-agreement"' in attention_group
    assert "US–Russia phone call" in attention_group


def test_a_verified_violation_shows_on_the_card_as_plainly_as_its_status(client, russia, ukraine):
    pause = energy_pause(russia, ukraine)
    ComplianceEventFactory(
        commitment=pause,
        claimant=ukraine,
        accused=russia,
        verification="verified",
        occurred_at=NOW - dt.timedelta(days=90),
    )

    html = get_board(client).content.decode()

    assert '<span class="status status-in_force">' in html
    assert '<span class="mark mark-verified">1 verified violation</span>' in html


def test_an_overdue_deliverable_and_an_overdue_milestone_are_marked_on_their_cards(client, db):
    deliverable("Prisoner exchange", NOW - dt.timedelta(minutes=5))
    milestone = CommitmentFactory(title="Talks on monitoring", shape="process")
    ReadingFactory(
        commitment=milestone, starts_at=None, ends_at=None, due_at=NOW - dt.timedelta(days=1)
    )
    deliverable("Exchange not yet due", NOW + dt.timedelta(days=20))

    html = get_board(client).content.decode()

    cards = re.findall(r'<article class="card".*?</article>', html, re.S)
    marked = [cards_in(card)[0] for card in cards if 'class="mark mark-overdue"' in card]
    assert sorted(marked) == ["Prisoner exchange", "Talks on monitoring"]
    assert "was due 5 min ago" in text_of(get_board(client))


def test_what_needs_attention_is_listed_on_the_first_page_only(client, russia, ukraine):
    agreements_with_one_commitment_each(35, russia, ukraine)
    deliverable("Exchange overdue", NOW - dt.timedelta(days=2))

    first = get_board(client).content.decode()
    second = get_board(client, "?page=2").content.decode()

    assert "Exchange overdue" in section(first, "attention-heading")
    assert "Exchange overdue" not in second
    assert 'id="attention-heading"' not in second
    assert first.count('class="card"') + second.count('class="card"') == 36


def test_nothing_unpublished_shapes_the_headline_or_the_group(client, russia, ukraine):
    pause = energy_pause(russia, ukraine)
    ComplianceEventFactory(commitment=pause, verification="verified", is_published=False)
    deliverable("Draft exchange", NOW - dt.timedelta(days=1), is_published=False)

    html = get_board(client).content.decode()

    assert "Draft exchange" not in html
    assert "<strong>0</strong> overdue" in html
    assert "<strong>0</strong> verified violations in the last 30 days" in html
    assert "mark-verified" not in html


def test_the_board_with_commitments_needing_attention_keeps_its_fixed_number_of_queries(
    client, russia, ukraine, django_assert_max_num_queries
):
    build_board(2, russia, ukraine)
    deliverable("Exchange overdue", NOW - dt.timedelta(days=2))
    with django_assert_max_num_queries(7):
        small = get_board(client)
    cache.clear()

    build_board(20, russia, ukraine)
    for n in range(15):
        deliverable(f"Exchange {n} overdue", NOW - dt.timedelta(days=n + 1))
    with django_assert_max_num_queries(7):
        large = get_board(client)

    assert small.content.decode().count('class="card"') == 3
    # At most twelve listed as needing attention; the rest a page of whole agreements at a time.
    assert (
        cards_in(section(large.content.decode(), "attention-heading"))[0] == "Exchange 14 overdue"
    )
    assert large.content.decode().count('class="card"') == views.ATTENTION_LISTED + 24


def test_the_headline_moves_with_the_clock_not_only_with_the_record(client, russia, ukraine):
    energy_pause(russia, ukraine)  # ends in 3 days 4 h

    now = text_of(get_board(client))
    a_week_later = text_of(get_board(client, now=NOW + dt.timedelta(days=7)))

    assert "1 ends or falls due within 7 days" in now
    assert "0 end or fall due within 7 days" in a_week_later
