"""The compliance picture: counted from published events, never typed in, read in one query."""

import datetime as dt

import pytest

from tests.factories import CommitmentFactory, ComplianceEventFactory, PartyFactory
from tracker.models import Commitment

UTC = dt.UTC


def day(n: int) -> dt.datetime:
    return dt.datetime(2025, 3, n, 12, tzinfo=UTC)


@pytest.fixture
def picture(db):
    """Claims about the energy pause, and two quieter commitments."""
    russia = PartyFactory(name="Russia", slug="russia")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    pause = CommitmentFactory(title="Energy pause")
    black_sea = CommitmentFactory(title="Black Sea")
    exchange = CommitmentFactory(title="Exchange", shape="deliverable")

    def event(commitment, kind, verification, claimant, accused, when, **extra):
        return ComplianceEventFactory(
            commitment=commitment,
            kind=kind,
            verification=verification,
            claimant=claimant,
            accused=accused,
            occurred_at=when,
            **extra,
        )

    event(pause, "alleged_violation", "unverified", russia, ukraine, day(19))
    event(pause, "alleged_violation", "unverified", russia, ukraine, day(28), count=120)
    event(pause, "alleged_violation", "disputed", russia, ukraine, day(28))
    event(pause, "alleged_violation", "verified", ukraine, russia, day(20))
    event(pause, "confirmed_violation", "verified", ukraine, russia, day(21))
    event(pause, "alleged_violation", "refuted", ukraine, russia, day(22))
    event(pause, "statement", "unverified", None, None, day(25))
    event(pause, "alleged_violation", "unverified", ukraine, russia, day(31), is_published=False)
    event(exchange, "delivery", "verified", None, None, day(19))
    return {
        "russia": russia,
        "ukraine": ukraine,
        "pause": pause,
        "black_sea": black_sea,
        "exchange": exchange,
    }


def loaded(commitment):
    return Commitment.objects.select_related("compliance_summary").get(pk=commitment.pk).compliance


def test_the_picture_counts_published_events_by_kind_verification_claimant_and_accused(picture):
    russia, ukraine = picture["russia"].pk, picture["ukraine"].pk

    compliance = loaded(picture["pause"])

    assert sorted(compliance.cells, key=str) == sorted(
        [
            ("alleged_violation", "unverified", russia, 2, ukraine),
            ("alleged_violation", "disputed", russia, 1, ukraine),
            ("alleged_violation", "verified", ukraine, 1, russia),
            ("alleged_violation", "refuted", ukraine, 1, russia),
            ("confirmed_violation", "verified", ukraine, 1, russia),
            ("statement", "unverified", None, 1, None),
        ],
        key=str,
    )
    assert compliance.total == 7


def test_an_aggregate_claim_counts_as_one_record(picture):
    compliance = loaded(picture["pause"])

    assert compliance.count(kind="alleged_violation", claimant_id=picture["russia"].pk) == 3


def test_the_picture_can_be_read_by_any_combination(picture):
    compliance = loaded(picture["pause"])
    ukraine = picture["ukraine"].pk

    assert compliance.count(verification="verified") == 2
    assert compliance.count(claimant_id=ukraine) == 3
    assert compliance.count(kinds=["alleged_violation", "confirmed_violation"]) == 6
    assert compliance.count(kind="statement") == 1


def test_violations_by_claimant_separate_alleged_from_verified_and_drop_refuted(picture):
    compliance = loaded(picture["pause"])

    assert compliance.violations_by_claimant() == {
        picture["russia"].pk: {"alleged": 3, "verified": 0},
        picture["ukraine"].pk: {"alleged": 0, "verified": 2},
    }


def test_violations_by_side_say_who_claims_and_against_whom(picture):
    russia, ukraine = picture["russia"].pk, picture["ukraine"].pk
    third = PartyFactory(name="Third party")
    ComplianceEventFactory(
        commitment=picture["pause"], claimant=picture["russia"], accused=third, occurred_at=day(29)
    )
    ComplianceEventFactory(
        commitment=picture["pause"], claimant=picture["russia"], accused=None, occurred_at=day(29)
    )

    compliance = loaded(picture["pause"])

    assert compliance.violations_by_side() == {
        (russia, ukraine): {"alleged": 3, "verified": 0},
        (russia, third.pk): {"alleged": 1, "verified": 0},
        (russia, None): {"alleged": 1, "verified": 0},
        (ukraine, russia): {"alleged": 0, "verified": 2},
    }
    assert compliance.violations_by_claimant()[russia] == {"alleged": 5, "verified": 0}


def test_a_cell_kept_before_the_accused_was_counted_names_no_accused(db):
    """A summary stored by an older version has four values a cell; it still reads."""
    from tracker.models import CompliancePicture

    old = CompliancePicture(cells=[("alleged_violation", "unverified", 7, 2)])

    assert old.total == 2
    assert old.violations_by_side() == {(7, None): {"alleged": 2, "verified": 0}}
    assert old.count(claimant_id=7) == 2


def test_the_last_event_is_the_latest_published_one(picture):
    assert loaded(picture["pause"]).last_event_at == day(28)
    assert loaded(picture["exchange"]).last_event_at == day(19)


def test_a_commitment_with_no_events_has_an_empty_picture(picture):
    compliance = loaded(picture["black_sea"])

    assert compliance.cells == []
    assert compliance.total == 0
    assert compliance.last_event_at is None
    assert compliance.violations_by_claimant() == {}


def test_the_picture_of_every_commitment_comes_in_one_query(picture, django_assert_num_queries):
    for n in range(20):
        ComplianceEventFactory(commitment=CommitmentFactory(title=f"More {n}"))

    with django_assert_num_queries(1):
        totals = {
            c.title: c.compliance.total
            for c in Commitment.objects.select_related("compliance_summary")
        }

    assert totals["Energy pause"] == 7
    assert totals["Black Sea"] == 0
    assert totals["More 7"] == 1


def test_a_commitment_nobody_reported_on_has_an_empty_picture(db):
    quiet = Commitment.objects.get(pk=CommitmentFactory().pk)

    assert quiet.compliance.total == 0
    assert quiet.compliance.cells == []


def test_a_confirmed_violation_counts_as_verified_only_once_reviewers_verify_it(db):
    """The kind is the claimant's word; "verified" is our reviewers' judgement, as on the strip."""
    russia = PartyFactory(name="Russia", slug="russia")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    pause = CommitmentFactory(title="Energy pause")
    for verification in ("unverified", "corroborated", "disputed", "verified", "refuted"):
        ComplianceEventFactory(
            commitment=pause,
            kind="confirmed_violation",
            verification=verification,
            claimant=ukraine,
            accused=russia,
        )

    compliance = loaded(pause)

    assert compliance.violations_by_claimant() == {ukraine.pk: {"alleged": 3, "verified": 1}}
