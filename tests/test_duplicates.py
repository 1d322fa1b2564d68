"""A new claim that probably repeats one already recorded is flagged with it, never dropped."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CommitmentFactory, ComplianceEventFactory, PartyFactory, SourceFactory
from tracker import duplicates, services
from tracker.models import ComplianceEvent, EventKind

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)
MORNING = dt.datetime(2025, 4, 2, 6, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sides(db):
    return PartyFactory(slug="russia"), PartyFactory(slug="ukraine")


@pytest.fixture
def pause(db):
    return CommitmentFactory(slug="energy-pause")


@pytest.fixture
def original(pause, sides):
    russia, ukraine = sides
    return ComplianceEventFactory(
        commitment=pause,
        claimant=ukraine,
        accused=russia,
        occurred_at=MORNING,
        summary="Drone strike on a substation in Kharkiv region",
    )


def record(editor, pause, claimant, accused, summary, *, at=MORNING, sources=None):
    event = ComplianceEvent(
        commitment=pause,
        kind=EventKind.ALLEGED_VIOLATION,
        claimant=claimant,
        accused=accused,
        occurred_at=at,
        summary=summary,
    )
    return services.record_event(event, actor=editor, reason="Reported", sources=sources)


@pytest.mark.parametrize(
    ("first", "second", "alike"),
    [
        (
            "Drone strike on a substation in Kharkiv region",
            "drone strike on substation, Kharkiv region",
            True,
        ),
        ("Удар дрона по підстанції на Харківщині", "удар дрона по підстанції, Харківщина", True),
        ("Strike on the Café Zoryana", "strike on the cafe zoryana!", True),
        (
            "Shelling of Nikopol damaged a power line",
            "Shelling of Marhanets damaged a power line",
            False,
        ),
        ("Drone strike on a substation", "Talks on a maritime ceasefire resumed in Riyadh", False),
    ],
)
def test_summaries_are_near_identical_when_their_words_read_alike(first, second, alike):
    assert duplicates.near_identical(first, second) is alike


def test_a_claim_repeating_a_summary_on_the_same_day_is_flagged_with_the_original(
    editor, pause, sides, original
):
    russia, ukraine = sides

    event = record(editor, pause, ukraine, russia, "Drone strike on substation, Kharkiv region.")

    assert event.pk is not None, "flagged, not dropped"
    assert ComplianceEvent.objects.get(pk=event.pk).possible_duplicate_of == original


def test_a_claim_citing_the_same_source_on_the_same_day_is_flagged(editor, pause, sides, original):
    russia, ukraine = sides
    report = SourceFactory(url="https://mod.example.org/daily/2025-04-02")
    original.sources.add(report)

    event = record(editor, pause, ukraine, russia, "Three drones hit a gas plant", sources=[report])

    assert event.possible_duplicate_of == original


def test_the_earliest_of_several_matching_claims_is_the_likely_original(
    editor, pause, sides, original
):
    russia, ukraine = sides
    record(editor, pause, ukraine, russia, "Drone strike on a substation in Kharkiv region!")

    third = record(editor, pause, ukraine, russia, "Drone strike on a substation, Kharkiv region")

    assert third.possible_duplicate_of == original


@pytest.mark.parametrize(
    "difference",
    ["another day", "another claimant", "another accused", "another commitment", "another text"],
)
def test_a_claim_differing_in_day_parties_commitment_or_text_is_not_flagged(
    editor, pause, sides, original, difference
):
    russia, ukraine = sides
    claimant, accused, commitment, at = ukraine, russia, pause, MORNING
    summary = original.summary
    if difference == "another day":
        at = MORNING + dt.timedelta(days=1)
    elif difference == "another claimant":
        claimant = PartyFactory(slug="monitors")
    elif difference == "another accused":
        accused = None
    elif difference == "another commitment":
        commitment = CommitmentFactory(slug="black-sea")
    else:
        summary = "Talks on a maritime ceasefire resumed in Riyadh"

    event = record(editor, commitment, claimant, accused, summary, at=at)

    assert event.possible_duplicate_of is None


def test_looking_for_the_original_reads_only_the_claims_of_that_day(editor, pause, sides, original):
    russia, ukraine = sides
    for day in range(1, 40):
        ComplianceEventFactory(
            commitment=pause,
            claimant=ukraine,
            accused=russia,
            occurred_at=MORNING - dt.timedelta(days=day),
            summary=original.summary,
        )
    event = ComplianceEvent(
        commitment=pause, claimant=ukraine, accused=russia, occurred_at=MORNING, summary="x"
    )

    with CaptureQueriesContext(connection) as queries:
        assert duplicates.likely_original(event) is None

    assert len(queries) == 1
    assert "occurred_on" in queries[0]["sql"]


def test_editing_a_flagged_claim_keeps_its_flag(editor, pause, sides, original):
    russia, ukraine = sides
    event = record(editor, pause, ukraine, russia, "Drone strike on a substation in Kharkiv region")

    event.summary = "Drone strike on a substation in Kharkiv region; two transformers burned"
    event.possible_duplicate_of = None
    services.save_record(event, actor=editor, reason="Added the damage")

    assert ComplianceEvent.objects.get(pk=event.pk).possible_duplicate_of == original
