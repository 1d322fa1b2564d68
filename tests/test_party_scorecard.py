"""The party page's scorecard: claims made and claimed against it, per month and verification,
as a chart with its table, and the commitments that bind it with their status."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine

from tests.factories import (
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
)
from tracker.models import EventKind, Verification
from tracker.site import party_page

UTC = dt.UTC
NOW = dt.datetime(2025, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
def russia(db):
    return PartyFactory(name="Russia", slug="russia")


@pytest.fixture
def ukraine(db):
    return PartyFactory(name="Ukraine", slug="ukraine")


@pytest.fixture
def pause(russia, ukraine):
    commitment = CommitmentFactory(title="Energy pause", slug="energy-pause")
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(commitment=commitment, party=ukraine)
    return commitment


def claim(commitment, claimant, accused, day, verification=Verification.UNVERIFIED, **fields):
    return ComplianceEventFactory(
        commitment=commitment,
        claimant=claimant,
        accused=accused,
        occurred_at=day,
        verification=verification,
        **fields,
    )


def get(client, slug="russia"):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/parties/{slug}/")


def table(page: str, caption: str) -> dict[str, list[str]]:
    """{row heading: its cells} of the table with this caption, as a reader sees it."""
    start = page.index(f">{caption}</caption>")
    html = page[start : page.index("</table>", start)]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        heading = re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1)
        rows[heading] = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return rows


COLUMNS = ["Verified", "Corroborated", "Unverified", "Disputed", "Refuted", "Retracted", "All"]


def test_claims_are_counted_by_the_month_they_are_dated_in_and_by_verification(
    client, pause, russia, ukraine
):
    march, april = dt.datetime(2025, 3, 19, 2, tzinfo=UTC), dt.datetime(2025, 4, 2, tzinfo=UTC)
    claim(pause, russia, ukraine, march, Verification.VERIFIED)
    claim(pause, russia, ukraine, march, Verification.DISPUTED)
    claim(pause, russia, ukraine, april, Verification.VERIFIED)
    claim(pause, russia, None, april, kind=EventKind.STATEMENT)
    claim(pause, ukraine, russia, dt.datetime(2025, 5, 31, 23, 59, tzinfo=UTC), precision="minute")
    claim(pause, ukraine, russia, dt.datetime(2025, 6, 1, tzinfo=UTC), Verification.REFUTED)
    # Midnight in Kyiv on 1 June, given to the day: dated 1 June, as the claim meant it.
    claim(pause, ukraine, russia, dt.datetime(2025, 5, 31, 21, tzinfo=UTC), precision="day")

    page = get(client).content.decode()

    made = table(page, "Claims it made, per month")
    assert made["2025-03"] == ["1", "0", "0", "1", "0", "0", "2"]
    assert made["2025-04"] == ["1", "0", "1", "0", "0", "0", "2"]
    assert made["All months"] == ["2", "0", "1", "1", "0", "0", "4"]
    against = table(page, "Claims made against it, per month")
    assert against["2025-05"] == ["0", "0", "1", "0", "0", "0", "1"]
    assert against["2025-06"] == ["0", "0", "1", "0", "1", "0", "2"]
    assert against["All months"][-1] == "3"
    assert "What it claims (4 claims)" in page
    assert "What is claimed against it (3 claims)" in page


def test_the_table_has_a_column_per_verification_state_and_headed_rows(client, pause, russia):
    claim(pause, russia, None, dt.datetime(2025, 3, 19, tzinfo=UTC))

    page = get(client).content.decode()

    start = page.index(">Claims it made, per month</caption>")
    header = page[start : page.index("</thead>", start)]
    assert re.findall(r'<th scope="col">(.*?)</th>', header) == ["Month", *COLUMNS]
    assert '<th scope="row">2025-03</th>' in page


def test_a_month_between_two_months_with_claims_is_listed_with_none(client, pause, russia):
    claim(pause, russia, None, dt.datetime(2025, 1, 10, tzinfo=UTC))
    claim(pause, russia, None, dt.datetime(2025, 3, 10, tzinfo=UTC))

    made = table(get(client).content.decode(), "Claims it made, per month")

    assert made["2025-02"] == ["0"] * 7


def test_the_chart_is_an_image_with_a_title_a_description_and_a_bar_per_state_and_month(
    client, pause, russia, ukraine
):
    march = dt.datetime(2025, 3, 19, tzinfo=UTC)
    claim(pause, russia, ukraine, march, Verification.VERIFIED)
    claim(pause, russia, ukraine, march, Verification.VERIFIED)
    claim(pause, russia, ukraine, march)

    page = get(client).content.decode()

    svg_text = re.search(r'<svg viewBox="0 0 480 200".*?</svg>', page, re.S).group(0)
    svg = ET.fromstring(svg_text)
    assert svg.get("role") == "img"
    labelled_by = svg.get("aria-labelledby").split()
    title, description = svg.find("title"), svg.find("desc")
    assert [title.get("id"), description.get("id")] == labelled_by
    assert title.text == "Claims it made (Russia), per month, by verification state"
    assert description.text.startswith("3 claims in all; 2025-03 to 2025-03 drawn")
    bars = [(rect.get("class"), rect.find("title").text) for rect in svg.iter("rect")]
    assert bars == [
        ("sc-bar sc-verified", "2025-03: 2 verified"),
        ("sc-bar sc-unverified", "2025-03: 1 unverified"),
    ]


def test_a_party_without_claims_is_told_so_and_gets_no_chart(client, pause, russia):
    page = get(client).content.decode()

    assert page.count("No published claims.") == 2
    assert '<svg viewBox="0 0 480 200"' not in page


def test_an_unpublished_claim_is_not_counted(client, pause, russia, ukraine):
    march = dt.datetime(2025, 3, 19, tzinfo=UTC)
    claim(pause, russia, ukraine, march, Verification.VERIFIED)
    claim(pause, russia, ukraine, march, Verification.VERIFIED, is_published=False)
    hidden = CommitmentFactory(title="Draft pledge", is_published=False)
    claim(hidden, russia, ukraine, march, Verification.VERIFIED)

    page = get(client).content.decode()

    assert table(page, "Claims it made, per month")["All months"][0] == "1"
    assert "What it claims (1 claim)" in page
    assert "Draft pledge" not in page


def test_the_counts_come_from_one_grouped_query_per_side(
    client, pause, russia, ukraine, django_assert_num_queries
):
    for month in range(1, 7):
        day = dt.datetime(2025, month, 3, tzinfo=UTC)
        claim(pause, russia, ukraine, day, Verification.VERIFIED)
        claim(pause, ukraine, russia, day, Verification.DISPUTED)

    with django_assert_num_queries(2):
        rows = party_page.party_claims(russia)

    assert sorted(rows)[:2] == [
        ("against", "2025-01", "disputed", 1),
        ("against", "2025-02", "disputed", 1),
    ]
    assert len(rows) == 12


def test_the_commitments_that_bind_it_are_listed_with_their_status(client, russia):
    for title, status in [("Pause A", "in_force"), ("Pause B", "expired"), ("Pause C", "in_force")]:
        CommitmentPartyFactory(
            commitment=CommitmentFactory(title=title, status=status), party=russia
        )

    page = get(client).content.decode()

    bound = page[page.index("What binds it") : page.index("Claims month by month")]
    assert "Bound by 3 published commitments: 2 in force, 1 expired." in bound
    assert bound.index("Pause A") < bound.index("Pause C") < bound.index("Pause B")
    assert bound.count("status-in_force") == 2


def test_a_party_bound_by_many_commitments_lists_the_live_ones_and_links_to_the_rest(
    client, russia, settings
):
    for n in range(party_page.BOUND_LISTED + 2):
        status = "expired" if n < 5 else "in_force"
        CommitmentPartyFactory(
            commitment=CommitmentFactory(title=f"Pledge {n:03d}", status=status), party=russia
        )

    page = get(client).content.decode()

    bound = page[page.index("What binds it") : page.index("Claims month by month")]
    assert bound.count("<tr>") == party_page.BOUND_LISTED + 1  # and the header row
    # The five expired are listed after the 47 in force: three make the list, two do not.
    assert "Pledge 002" in bound
    assert "Pledge 003" not in bound and "Pledge 004" not in bound
    assert 'href="/?party=russia"' in bound
    assert f"All {party_page.BOUND_LISTED + 2} on the board" in bound


def test_the_counts_are_read_once_per_version_of_the_record(
    client, pause, russia, ukraine, django_assert_max_num_queries
):
    claim(pause, russia, ukraine, dt.datetime(2025, 3, 19, tzinfo=UTC))
    get(client)

    five_minutes_later = time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False)
    with five_minutes_later, django_assert_max_num_queries(7) as queries:
        later = client.get("/parties/russia/")
    claim(pause, russia, ukraine, dt.datetime(2025, 4, 2, tzinfo=UTC))
    changed = get(client).content.decode()

    assert "What it claims (1 claim)" in later.content.decode()
    assert not any("GROUP BY" in query["sql"] for query in queries.captured_queries)
    assert "What it claims (2 claims)" in changed
