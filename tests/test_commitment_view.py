"""The commitment page: terms, every reading, the status history, events and deliveries."""

import datetime as dt

import pytest
import time_machine

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
    UserFactory,
)
from tracker import services, summaries
from tracker.models import CommitmentParty, DeliveredQuantity

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)


@pytest.fixture
def russia(db):
    return PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")


@pytest.fixture
def ukraine(db):
    return PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")


@pytest.fixture
def pause(russia, ukraine):
    commitment = CommitmentFactory(
        title="Pause on strikes against energy infrastructure",
        slug="energy-pause",
        terms="Both sides refrain from striking energy infrastructure for 30 days.",
        conditions="Either side may consider itself free if the other violates it.",
        internal_note="Ask the desk about the Sudzha claim",
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(commitment=commitment, party=ukraine)
    return commitment


def get_page(client, query="", slug="energy-pause", now=NOW):
    with time_machine.travel(now, tick=False):
        return client.get(f"/commitments/{slug}/{query}")


def test_terms_conditions_and_parties_are_shown(client, pause):
    mediator = PartyFactory(name="United States", slug="usa")
    CommitmentPartyFactory(commitment=pause, party=mediator, role=CommitmentParty.Role.MEDIATOR)
    CommitmentPartyFactory(commitment=pause, party=mediator, role=CommitmentParty.Role.PROPOSER)

    page = get_page(client).content.decode()

    assert "Both sides refrain from striking energy infrastructure for 30 days." in page
    assert "Either side may consider itself free" in page
    assert "Russia</a>: bound by it" in page
    assert "United States</a>: mediator, proposed it" in page
    assert "Ask the desk" not in page


def test_every_published_reading_is_shown_side_by_side_each_day_in_the_zone_it_meant(
    client, pause, russia, ukraine
):
    kremlin = ReadingFactory(
        commitment=pause,
        label="Kremlin's count",
        read_by=russia,
        starts_at=dt.datetime(2025, 3, 17, 21, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 16, 21, tzinfo=UTC),
        time_zone="Europe/Moscow",
        wording="Thirty days from 18 March.",
    )
    kremlin.sources.add(SourceFactory(title="Kremlin readout"))
    ReadingFactory(
        commitment=pause,
        label="Ukraine's count",
        read_by=ukraine,
        is_working=False,
        starts_at=dt.datetime(2025, 3, 24, 22, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 23, 21, tzinfo=UTC),
        time_zone="Europe/Kyiv",
    )
    ReadingFactory(commitment=pause, label="Draft reading", is_working=False, is_published=False)

    page = get_page(client).content.decode()

    assert "Kremlin&#x27;s count" in page and "Ukraine&#x27;s count" in page
    assert "working reading" in page
    assert "Draft reading" not in page
    assert "Thirty days from 18 March." in page
    assert "Kremlin readout" in page
    # Given to the day: each is the day its wording named, on its own zone's calendar,
    # not the evening before as UTC would have it.
    assert "<li>17 April 2025</li>" in page
    assert "<li>25 March 2025</li>" in page
    assert "<li>24 April 2025</li>" in page
    assert "to the day, Moscow time" in page
    assert "to the day, Kyiv time" in page
    assert "16 April 2025, 21:00" not in page


def test_readings_are_drawn_as_bars_on_one_timeline_with_a_now_marker(client, pause):
    ReadingFactory(commitment=pause, label="Kremlin's count")
    ReadingFactory(commitment=pause, label="Ukraine's count", is_working=False)
    ComplianceEventFactory(commitment=pause, summary="Strike on a substation in Sloviansk")

    page = get_page(client).content.decode()

    assert page.count('<rect class="span') == 2
    assert 'class="now-line"' in page
    assert "19 March 2025: Strike on a substation in Sloviansk (alleged violation)" in page


def test_events_of_one_day_share_a_tick_that_says_how_many_they_are(client, pause):
    ReadingFactory(commitment=pause)
    ComplianceEventFactory.create_batch(3, commitment=pause, summary="Drone strike")
    ComplianceEventFactory(commitment=pause, summary="Verified strike", verification="verified")

    page = get_page(client).content.decode()

    assert page.count('<rect class="tick-') == 2
    assert "19 March 2025: 3 claims (alleged violation)" in page
    assert "19 March 2025: Verified strike (verified violation)" in page


def test_a_renewal_links_to_the_commitment_it_renews_only_while_that_is_public(client, db):
    old = CommitmentFactory(title="First energy pause", status="expired")
    CommitmentFactory(slug="second", title="Second energy pause", renews=old)
    hidden = CommitmentFactory(
        title="Pause agreed in secret", agreement=AgreementFactory(is_published=False)
    )
    CommitmentFactory(slug="third", title="Third energy pause", renews=hidden)

    second = get_page(client, slug="second").content.decode()
    third = get_page(client, slug="third").content.decode()

    assert "Renews" in second and "First energy pause</a>" in second
    assert "Renews" not in third and "Pause agreed in secret" not in third


def test_the_daily_strip_is_drawn_across_the_working_window(client, pause, ukraine):
    ReadingFactory(commitment=pause)
    ComplianceEventFactory(commitment=pause, claimant=ukraine, verification="verified")

    page = get_page(client).content.decode()

    assert "<title>19 March 2025: verified violation</title>" in page
    assert "0 days with alleged violations, 1 with verified violations" in page


def test_status_history_shows_when_what_and_why_with_the_actor_as_a_role(client, pause):
    reviewer = UserFactory(username="olena.k", first_name="Olena", role="Reviewers")
    services.change_status(
        pause,
        "suspended",
        actor=reviewer,
        reason="Talks broke down",
        effective_at=dt.datetime(2025, 3, 28, tzinfo=UTC),
    )
    services.change_status(pause, "expired", actor=services.CLOCK, reason="window ended")

    page = get_page(client).content.decode()

    assert "28 March 2025, 00:00 UTC" in page
    assert "in force → <strong>suspended</strong>" in page
    assert "Talks broke down" in page
    assert "a reviewer" in page
    assert "the clock" in page
    assert "olena" not in page.lower()


def test_events_show_sources_verification_and_responses_beside_the_claim(
    client, pause, russia, ukraine
):
    claim = ComplianceEventFactory(
        commitment=pause,
        claimant=russia,
        accused=ukraine,
        summary="HIMARS rockets hit the Sudzha gas metering station",
        internal_note="Unconfirmed by the desk",
    )
    claim.sources.add(SourceFactory(title="Defence ministry statement"))
    ComplianceEventFactory(
        commitment=pause,
        kind="statement",
        claimant=ukraine,
        accused=russia,
        in_response_to=claim,
        summary="Ukraine denied it and said Russia shelled Sudzha itself",
    )
    ComplianceEventFactory(
        commitment=pause, in_response_to=claim, summary="Unpublished answer", is_published=False
    )

    page = get_page(client).content.decode()

    assert "claimed by Russia</a>" not in page
    assert "Alleged violation: claimed by Russia, against Ukraine" in page
    assert "Defence ministry statement" in page
    assert "Verification:" in page and "unverified" in page
    responses = page[page.index('aria-label="Responses to this claim"') :]
    assert "Ukraine denied it" in responses
    assert page.count('class="claim"') == 1
    assert "Unpublished answer" not in page
    assert "Unconfirmed by the desk" not in page
    assert "1 claim" in page


def events_section(response) -> str:
    return events_section_of(response.content.decode())


def events_section_of(page: str) -> str:
    return page[page.index('id="events"') :]


def test_events_can_be_filtered_by_claimant_kind_and_verification(client, pause, russia, ukraine):
    ComplianceEventFactory(commitment=pause, claimant=russia, summary="Russian claim")
    ComplianceEventFactory(
        commitment=pause, claimant=ukraine, summary="Ukrainian claim", verification="verified"
    )
    ComplianceEventFactory(
        commitment=pause, claimant=ukraine, kind="statement", summary="Ukrainian statement"
    )

    by_claimant = events_section(get_page(client, "?claimant=russia"))
    by_kind = events_section(get_page(client, "?kind=statement"))
    by_state = events_section(get_page(client, "?verification=verified"))

    assert "Russian claim" in by_claimant and "Ukrainian claim" not in by_claimant
    assert "Ukrainian statement" in by_kind and "Russian claim" not in by_kind
    assert "Ukrainian claim" in by_state and "Ukrainian statement" not in by_state
    assert '<label for="filter-claimant">Claimant</label>' in by_state
    assert "Clear filters" in by_state


def test_events_are_paginated_and_huge_page_sizes_are_capped(client, pause):
    ComplianceEventFactory.create_batch(23, commitment=pause)

    first = get_page(client).content.decode()
    second = get_page(client, "?page=2").content.decode()
    huge = get_page(client, "?per_page=1000000").content.decode()

    assert first.count('class="claim"') == 20
    assert "page 1 of 2" in first
    assert 'href="?page=2#events"' in first
    assert second.count('class="claim"') == 3
    assert huge.count('class="claim"') == 23


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?page=abc", "The page number must be a whole number."),
        ("?page=0", "Pages are numbered from 1."),
        ("?page=9", "There is no page 9: the events fill 1."),
        ("?per_page=-5", "A page holds at least one event."),
        ("?kind=rumour", "“rumour” is not a kind of event."),
        ("?verification=maybe", "“maybe” is not a verification state."),
        ("?claimant=atlantis", "There is no party called “atlantis”."),
    ],
)
def test_bad_filters_and_page_numbers_get_a_clear_400(client, pause, query, message):
    response = get_page(client, query)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_deliveries_show_quantities_by_side_with_running_totals_against_the_promise(
    client, russia, ukraine
):
    exchange = CommitmentFactory(
        title="Exchange of 1,000 for 1,000",
        slug="exchange",
        shape="deliverable",
        category="prisoners",
        promised_quantity=1000,
        promised_unit="people",
    )
    for day, quantity in ((23, 390), (24, 307), (25, 303)):
        delivery = ComplianceEventFactory(
            commitment=exchange,
            kind="delivery",
            claimant=ukraine,
            accused=None,
            occurred_at=dt.datetime(2025, 5, day, 12, tzinfo=UTC),
            summary=f"Tranche of 23–25 May: {quantity} each way",
        )
        for side in (russia, ukraine):
            DeliveredQuantity.objects.create(event=delivery, received_by=side, quantity=quantity)

    page = get_page(client, slug="exchange", now=dt.datetime(2025, 6, 1, tzinfo=UTC))
    page = page.content.decode()

    assert "390 people to Ukraine" in page
    assert "697 people to Ukraine: 70% of 1000 promised" in page
    assert "1000 people to Russia: 100% of 1000 promised" in page
    assert "390 people handed to Russia" in events_section_of(page)


@pytest.mark.parametrize("promised_unit", ["", "prisoners of war"])
def test_handovers_of_another_unit_than_the_promise_are_counted_with_no_share_of_it(
    client, russia, ukraine, promised_unit
):
    exchange = CommitmentFactory(
        title="Exchange of 175 for 175",
        slug="exchange",
        shape="deliverable",
        category="prisoners",
        promised_quantity=175,
        promised_unit=promised_unit,
    )
    delivery = ComplianceEventFactory(
        commitment=exchange,
        kind="delivery",
        claimant=ukraine,
        accused=None,
        occurred_at=dt.datetime(2025, 3, 19, 12, tzinfo=UTC),
    )
    DeliveredQuantity.objects.create(
        event=delivery, received_by=ukraine, quantity=22, unit="severely wounded prisoners"
    )

    page = get_page(client, slug="exchange", now=dt.datetime(2025, 6, 1, tzinfo=UTC))
    page = page.content.decode()

    assert "22 severely wounded prisoners to Ukraine" in page
    assert "promised</" not in page and "% of" not in page
    promise = f"175 {promised_unit} by each side" if promised_unit else "175 by each side"
    assert promise in page


def test_the_page_offers_the_alert_subscription_for_this_commitment(client, pause):
    response = get_page(client)

    assert "alerts/subscribe_form.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("slug", ["no-such-commitment", "draft", "of-a-draft-agreement"])
def test_unknown_and_unpublished_commitments_are_a_styled_404(client, db, slug):
    CommitmentFactory(slug="draft", is_published=False)
    CommitmentFactory(slug="of-a-draft-agreement", agreement=AgreementFactory(is_published=False))

    response = get_page(client, slug=slug)

    assert response.status_code == 404
    assert "There is no public page at this address." in response.content.decode()


def build_commitment(size: int, russia, ukraine):
    """A commitment with ``size`` of everything the page lists, renewing an earlier one."""
    earlier = CommitmentFactory(slug=f"earlier-{size}", status="expired")
    commitment = CommitmentFactory(slug=f"sized-{size}", promised_quantity=1000, renews=earlier)
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(
        commitment=commitment, party=ukraine, role=CommitmentParty.Role.BENEFICIARY
    )
    for n in range(size):
        reading = ReadingFactory(commitment=commitment, is_working=n == 0)
        reading.sources.add(SourceFactory())
        claim = ComplianceEventFactory(
            commitment=commitment,
            claimant=russia,
            accused=ukraine,
            occurred_at=NOW - dt.timedelta(days=n),
        )
        claim.sources.add(SourceFactory())
        response = ComplianceEventFactory(
            commitment=commitment, claimant=ukraine, accused=russia, in_response_to=claim
        )
        response.sources.add(SourceFactory())
        delivery = ComplianceEventFactory(commitment=commitment, kind="delivery", accused=None)
        DeliveredQuantity.objects.create(event=delivery, received_by=russia, quantity=10)
        services.change_status(
            commitment,
            "suspended" if commitment.status == "in_force" else "in_force",
            actor=services.CLOCK,
            reason="Back and forth",
        )
    return commitment


@pytest.mark.parametrize("query", ["", "?claimant=russia&kind=alleged_violation&page=2&per_page=2"])
def test_the_page_runs_a_fixed_number_of_queries_whatever_the_data_size(
    client, russia, ukraine, django_assert_max_num_queries, query
):
    small = build_commitment(3, russia, ukraine)
    large = build_commitment(25, russia, ukraine)

    # Three of them read the cited sources' archived copies and the files from the field, two
    # the records' places in the public log and its latest checkpoint, two the latest
    # deliveries and what they handed over.
    with django_assert_max_num_queries(18):
        small_page = get_page(client, query, slug=small.slug)
    with django_assert_max_num_queries(18):
        large_page = get_page(client, query, slug=large.slug)

    assert small_page.status_code == large_page.status_code == 200
    assert "Renews" in large_page.content.decode()
    assert events_section(large_page).count('class="claim"') == (2 if query else 20)


def test_the_pages_weight_follows_the_days_not_the_claims(client, pause, ukraine, russia):
    ReadingFactory(commitment=pause)
    start = dt.datetime(2025, 3, 18, 6, tzinfo=UTC)
    with summaries.deferred():
        for day in range(20):
            ComplianceEventFactory.create_batch(
                25,
                commitment=pause,
                claimant=ukraine,
                accused=russia,
                occurred_at=start + dt.timedelta(days=day),
            )
        for day in range(25):
            ComplianceEventFactory(
                commitment=pause, kind="delivery", occurred_at=start + dt.timedelta(hours=day)
            )

    page = get_page(client).content.decode()

    assert len(page) < 60_000
    assert page.count('<rect class="tick-') <= 2 * 20  # a tick per day and severity
    assert "525 claims · page 1 of 27" in page  # the claims come a page at a time
    assert "The latest 20 of 25 deliveries" in page


def test_a_second_reader_gets_the_page_from_the_cache_until_something_changes(
    client, pause, django_assert_max_num_queries
):
    ReadingFactory(commitment=pause)
    first = get_page(client)

    with django_assert_max_num_queries(2):  # the parties, for the filters; and nothing more
        second = get_page(client)
    ComplianceEventFactory(commitment=pause, summary="A claim recorded meanwhile")
    third = get_page(client)

    assert second.content == first.content
    assert "A claim recorded meanwhile" in third.content.decode()


def test_since_is_when_the_status_took_effect_not_when_it_was_recorded(client, pause):
    reviewer = UserFactory(username="reviewer", role="Reviewers")
    with time_machine.travel(dt.datetime(2025, 3, 30, 10, tzinfo=UTC), tick=False):
        services.change_status(
            pause,
            "suspended",
            actor=reviewer,
            reason="Talks broke down",
            effective_at=dt.datetime(2025, 3, 28, 9, 15, tzinfo=UTC),
        )

    page = get_page(client, "?tz=Europe/Kyiv").content.decode()

    assert "since 28 March 2025, 11:15 Kyiv time" in page
    assert "30 March 2025" not in page


def test_an_announced_commitment_never_in_force_says_so_and_since_its_agreement(client, db):
    with time_machine.travel(dt.datetime(2026, 11, 1, tzinfo=UTC), tick=False):
        black_sea = CommitmentFactory(
            slug="black-sea", status="announced", agreement__held_on=dt.date(2025, 3, 25)
        )
        ReadingFactory(
            commitment=black_sea,
            starts_at=dt.datetime(2025, 3, 24, 21, tzinfo=UTC),
            ends_at=dt.datetime(2025, 4, 23, 21, tzinfo=UTC),
            time_zone="Europe/Moscow",
            precision="day",
        )

    page = get_page(client, slug="black-sea", now=dt.datetime(2026, 11, 28, tzinfo=UTC))
    text = page.content.decode()

    assert "since 25 March 2025" in text
    assert "2026" not in text.split("<h1>")[1].split("</dl>")[0]
    assert "never in force; its period ended 24 April 2025" in text
    assert "ago" not in text.split("<h1>")[1].split("</dl>")[0]


def test_a_verified_claim_is_headed_as_a_verified_violation_not_an_alleged_one(
    client, pause, russia, ukraine
):
    ComplianceEventFactory(
        commitment=pause,
        kind="alleged_violation",
        claimant=ukraine,
        accused=russia,
        verification="verified",
        summary="Drones hit the Sloviansk substation",
    )
    ComplianceEventFactory(
        commitment=pause, kind="alleged_violation", claimant=russia, accused=ukraine
    )

    page = get_page(client).content.decode()

    assert "Verified violation: claimed by Ukraine, against Russia" in page
    assert "Alleged violation: claimed by Ukraine" not in page
    assert "Alleged violation: claimed by Russia, against Ukraine" in page
    assert '<span class="mark mark-verified">1 verified violation</span>' in page


@pytest.mark.parametrize("shape", ["deliverable", "process"])
def test_a_deliverable_or_milestone_past_its_due_date_is_marked_overdue(client, db, shape):
    exchange = CommitmentFactory(
        title="Prisoner exchange", slug="exchange", shape=shape, status="in_force"
    )
    ReadingFactory(
        commitment=exchange, starts_at=None, ends_at=None, due_at=NOW - dt.timedelta(minutes=5)
    )

    before = get_page(client, slug="exchange", now=NOW - dt.timedelta(minutes=10)).content
    after = get_page(client, slug="exchange").content.decode()

    assert b"mark-overdue" not in before
    assert '<span class="mark mark-overdue">overdue</span>' in after
    assert "was due 5 min ago" in after


def test_a_fulfilled_deliverable_is_not_overdue(client, db):
    exchange = CommitmentFactory(slug="exchange", shape="deliverable", status="fulfilled")
    ReadingFactory(commitment=exchange, ends_at=None, due_at=NOW - dt.timedelta(days=5))

    assert b"mark-overdue" not in get_page(client, slug="exchange").content
