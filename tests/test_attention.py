"""What needs attention: overdue, ending or due within a week, a violation verified lately.

The rules are judged from plain values (``tracker.attention``) for the marks
on cards, and in SQL (``tracker.public.attention``) for the board's group and
headline; both must give the same answer for every case.
"""

import datetime as dt
import itertools

import pytest
import time_machine

from tests.factories import CommitmentFactory, ComplianceEventFactory, ReadingFactory
from tracker import attention, public
from tracker.status import Shape, Status

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


# The rules on plain values ------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "status", "due", "overdue"),
    [
        (Shape.DELIVERABLE, Status.IN_FORCE, NOW - 5 * dt.timedelta(minutes=1), True),
        (Shape.DELIVERABLE, Status.ANNOUNCED, NOW - DAY, True),
        (Shape.DELIVERABLE, Status.SUSPENDED, NOW - DAY, True),
        (Shape.PROCESS, Status.IN_FORCE, NOW - DAY, True),
        (Shape.DELIVERABLE, Status.IN_FORCE, NOW, True),
        (Shape.DELIVERABLE, Status.IN_FORCE, NOW + HOUR, False),
        (Shape.DELIVERABLE, Status.FULFILLED, NOW - DAY, False),
        (Shape.DELIVERABLE, Status.COLLAPSED, NOW - DAY, False),
        (Shape.DELIVERABLE, Status.IN_FORCE, None, False),
        (Shape.WINDOW, Status.IN_FORCE, NOW - DAY, False),
    ],
)
def test_a_deliverable_or_milestone_is_overdue_once_its_due_date_passes_while_open(
    shape, status, due, overdue
):
    assert attention.is_overdue(shape, status, due, NOW) is overdue


def test_ending_soon_means_in_force_or_suspended_and_ending_within_seven_days():
    assert attention.ends_soon(Status.IN_FORCE, NOW + 7 * DAY, NOW)
    assert attention.ends_soon(Status.SUSPENDED, NOW + HOUR, NOW)
    assert not attention.ends_soon(Status.IN_FORCE, NOW + 7 * DAY + HOUR, NOW)
    assert not attention.ends_soon(Status.IN_FORCE, NOW - HOUR, NOW)
    assert not attention.ends_soon(Status.ANNOUNCED, NOW + HOUR, NOW)
    assert not attention.ends_soon(Status.IN_FORCE, None, NOW)


def test_a_verified_violation_is_recent_for_thirty_days():
    assert attention.verified_recently([dt.date(2025, 3, 11)], NOW)
    assert not attention.verified_recently([dt.date(2025, 3, 10)], NOW)
    assert not attention.verified_recently([], NOW)


def test_the_marks_say_each_reason_in_words_most_pressing_first():
    marks = attention.marks(
        shape=Shape.DELIVERABLE,
        status=Status.IN_FORCE,
        end=None,
        due=NOW - HOUR,
        verified=2,
        verified_days=[dt.date(2025, 1, 2)],
        now=NOW,
    )

    assert [(mark.kind, mark.label) for mark in marks] == [
        ("overdue", "overdue"),
        ("verified", "2 verified violations"),
    ]


def test_an_old_verified_violation_is_marked_but_needs_no_attention():
    old = [dt.date(2025, 1, 2)]
    marks = attention.marks(
        shape=Shape.WINDOW,
        status=Status.IN_FORCE,
        end=NOW + 20 * DAY,
        due=None,
        verified=1,
        verified_days=old,
        now=NOW,
    )

    assert [mark.label for mark in marks] == ["1 verified violation"]
    assert not attention.needs_attention(marks, old, NOW)
    assert attention.needs_attention(marks, [dt.date(2025, 4, 1)], NOW)


# The same rules in SQL ------------------------------------------------------------------

SHAPES = [Shape.WINDOW, Shape.DELIVERABLE, Shape.PROCESS]
STATUSES = [Status.ANNOUNCED, Status.IN_FORCE, Status.SUSPENDED, Status.FULFILLED]
OFFSETS = [None, -30 * DAY, -HOUR, HOUR, 6 * DAY, 8 * DAY]


def test_the_sql_and_the_rules_agree_on_every_case(db):
    cases = []
    for shape, status, offset in itertools.product(SHAPES, STATUSES, OFFSETS):
        commitment = CommitmentFactory(shape=shape, status=status)
        when = None if offset is None else NOW + offset
        end = when if shape == Shape.WINDOW else None
        due = when if shape != Shape.WINDOW else None
        ReadingFactory(commitment=commitment, starts_at=NOW - 40 * DAY, ends_at=end, due_at=due)
        cases.append((commitment, shape, status, end, due))
    reasons = public.attention(NOW)
    listed = public.commitments().annotate(**public.working_window())
    soon = set(listed.filter(reasons["soon"]).values_list("pk", flat=True))
    overdue = set(listed.filter(reasons["overdue"]).values_list("pk", flat=True))

    for commitment, shape, status, end, due in cases:
        expected_soon = attention.ends_soon(status, end, NOW) or attention.due_soon(
            shape, status, due, NOW
        )
        assert (commitment.pk in soon) is expected_soon, (shape, status, end, due)
        assert (commitment.pk in overdue) is attention.is_overdue(shape, status, due, NOW), (
            shape,
            status,
            due,
        )


def test_the_sql_counts_a_verified_violation_dated_within_thirty_days(db):
    recent, old, alleged, hidden, period = (CommitmentFactory() for _ in range(5))
    ComplianceEventFactory(commitment=recent, verification="verified", occurred_at=NOW - 3 * DAY)
    ComplianceEventFactory(commitment=old, verification="verified", occurred_at=NOW - 40 * DAY)
    ComplianceEventFactory(commitment=alleged, occurred_at=NOW - DAY)
    ComplianceEventFactory(
        commitment=hidden, verification="verified", occurred_at=NOW - DAY, is_published=False
    )
    ComplianceEventFactory(
        commitment=period,
        verification="verified",
        occurred_at=NOW - 50 * DAY,
        occurred_until=NOW - 10 * DAY,
    )
    ComplianceEventFactory(
        commitment=recent, kind="statement", verification="verified", occurred_at=NOW - DAY
    )

    found = set(
        public.commitments().filter(public.attention(NOW)["verified"]).values_list("pk", flat=True)
    )

    assert found == {recent.pk, period.pk}


def test_the_headline_counts_the_public_record_only_in_one_query(db, django_assert_num_queries):
    running = CommitmentFactory(status=Status.IN_FORCE)
    ReadingFactory(commitment=running, ends_at=NOW + 2 * DAY)
    late = CommitmentFactory(shape=Shape.DELIVERABLE, status=Status.IN_FORCE)
    ReadingFactory(commitment=late, ends_at=None, due_at=NOW - DAY)
    ComplianceEventFactory.create_batch(
        2, commitment=running, verification="verified", occurred_at=NOW - DAY
    )
    draft = CommitmentFactory(status=Status.IN_FORCE, is_published=False)
    ReadingFactory(commitment=draft, ends_at=NOW + DAY)
    ComplianceEventFactory(commitment=draft, verification="verified", occurred_at=NOW - DAY)
    ComplianceEventFactory(
        commitment=running, verification="verified", occurred_at=NOW - DAY, is_published=False
    )

    with time_machine.travel(NOW, tick=False), django_assert_num_queries(1):
        counted = public.at_a_glance(NOW)

    assert counted == {"total": 2, "in_force": 2, "soon": 1, "overdue": 1, "verified": 2}
