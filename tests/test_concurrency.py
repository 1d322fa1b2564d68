"""Two people, or two workers, changing the same thing at the same moment.

These run on PostgreSQL with real concurrent connections: each thread has its
own connection and transaction, lined up on a barrier so they start together.
SQLite serialises writers on one machine and is not what scale-out runs on.
"""

import datetime as dt
import threading

import pytest
from django.db import connection

from tests.factories import CommitmentFactory, ComplianceEventFactory, ReadingFactory, UserFactory
from tracker import services
from tracker.models import Commitment, ComplianceEvent, Reading, Revision, StatusChange
from tracker.services import TransitionNotAllowed

UTC = dt.UTC

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: real concurrent connections"
    ),
    # The flush after each test would drop the staff roles the migrations
    # created; serialized rollback puts them back for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(*jobs):
    """Run each job in its own thread and connection, all released at once.

    Returns what each job returned, or the exception it raised.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = job()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a worker never finished"
    return outcomes


def test_two_reviewers_suspending_at_once_make_one_change(db):
    first = UserFactory(username="first", role="Reviewers")
    second = UserFactory(username="second", role="Reviewers")
    commitment = CommitmentFactory(status="in_force")

    outcomes = run_together(
        lambda: services.change_status(commitment, "suspended", actor=first, reason="Talks"),
        lambda: services.change_status(commitment, "suspended", actor=second, reason="Talks"),
    )

    changes = [o for o in outcomes if isinstance(o, StatusChange)]
    refusals = [o for o in outcomes if isinstance(o, TransitionNotAllowed)]
    assert (len(changes), len(refusals)) == (1, 1)
    assert StatusChange.objects.filter(commitment=commitment).count() == 1
    assert Commitment.objects.get(pk=commitment.pk).status == "suspended"


def test_two_reviewers_with_different_verdicts_cannot_both_win(db):
    first = UserFactory(username="first", role="Reviewers")
    second = UserFactory(username="second", role="Reviewers")
    exchange = CommitmentFactory(shape="deliverable", status="in_force")

    outcomes = run_together(
        lambda: services.change_status(exchange, "fulfilled", actor=first, reason="All returned"),
        lambda: services.change_status(exchange, "suspended", actor=second, reason="Stalled"),
    )

    [winner] = [o for o in outcomes if isinstance(o, StatusChange)]
    [loser] = [o for o in outcomes if isinstance(o, Exception)]
    assert isinstance(loser, TransitionNotAllowed)
    stored = Commitment.objects.get(pk=exchange.pk)
    assert stored.status == winner.to_status  # the loser's value was not written over it
    assert stored.history.first().status == winner.to_status
    assert list(StatusChange.objects.values_list("to_status", flat=True)) == [winner.to_status]


def test_two_sweeps_racing_expire_each_window_exactly_once(db):
    ended = dt.datetime(2025, 4, 16, 21, tzinfo=UTC)
    windows = [CommitmentFactory(status=s) for s in ("in_force", "in_force", "suspended")]
    for window in windows:
        ReadingFactory(commitment=window, ends_at=ended)
    now = dt.datetime(2025, 4, 18, tzinfo=UTC)

    outcomes = run_together(
        lambda: services.expire_due_windows(now=now),
        lambda: services.expire_due_windows(now=now),
    )

    assert sorted(c.commitment_id for outcome in outcomes for c in outcome) == sorted(
        w.pk for w in windows
    )
    assert StatusChange.objects.count() == 3
    assert set(Commitment.objects.values_list("status", flat=True)) == {"expired"}


def test_an_extension_racing_the_sweep_leaves_a_consistent_record(db):
    reviewer = UserFactory(username="reviewer", role="Reviewers")
    ended = dt.datetime(2025, 4, 16, 21, tzinfo=UTC)
    pause = CommitmentFactory(status="in_force")
    ReadingFactory(commitment=pause, ends_at=ended)
    now = dt.datetime(2025, 4, 17, tzinfo=UTC)

    outcomes = run_together(
        lambda: services.expire_due_windows(now=now),
        lambda: services.extend_window(pause, actor=reviewer, reason="Agreed", extra_days=30),
    )

    stored = Commitment.objects.get(pk=pause.pk)
    end = Reading.objects.get(commitment=pause).ends_at
    if stored.status == "expired":  # the sweep went first; the extension came too late
        assert isinstance(outcomes[1], TransitionNotAllowed)
        assert end == ended
    else:  # the extension went first; the sweep found nothing due
        assert outcomes[0] == []
        assert end == dt.datetime(2025, 5, 16, 21, tzinfo=UTC)


def test_two_editors_choosing_a_working_reading_at_once_leave_exactly_one(db):
    first = UserFactory(username="first", role="Editors")
    second = UserFactory(username="second", role="Editors")
    pause = CommitmentFactory()
    ReadingFactory(commitment=pause, label="Kremlin's count")

    outcomes = run_together(
        lambda: services.add_reading(
            pause, actor=first, reason="Kyiv", working=True, label="Ukraine's count"
        ),
        lambda: services.add_reading(
            pause, actor=second, reason="US", working=True, label="White House's count"
        ),
    )

    assert all(isinstance(outcome, Reading) for outcome in outcomes)
    assert Reading.objects.filter(commitment=pause).count() == 3
    assert Reading.objects.filter(commitment=pause, is_working=True).count() == 1


# Edits of one record --------------------------------------------------------------------


def test_two_saves_based_on_one_version_never_revert_each_other(db):
    first = UserFactory(username="olena", role="Editors")
    second = UserFactory(username="taras", role="Editors")
    draft = ComplianceEventFactory(is_published=False, summary="Shelling.", count=None)
    seen = services.edit_token(draft)

    outcomes = run_together(
        lambda: services.edit_record(
            draft, {"summary": "Shelling of the port."}, actor=first, reason="x", based_on=seen
        ),
        lambda: services.edit_record(draft, {"count": 4}, actor=second, reason="y", based_on=seen),
    )

    saved = [o for o in outcomes if isinstance(o, services.Edit)]
    refused = [o for o in outcomes if isinstance(o, services.EditConflict)]
    assert (len(saved), len(refused)) == (1, 1)
    stored = ComplianceEvent.objects.get(pk=draft.pk)
    winner = saved[0].changed
    assert (stored.summary == "Shelling of the port.") == ("summary_en" in winner)
    assert (stored.count == 4) == ("count" in winner)
    assert refused[0].by == [("olena" if "summary_en" in winner else "taras")]


def test_concurrent_api_edits_of_different_fields_keep_every_field(db, live_server):
    """Each pair of staff tools edits one field of the same claim at the same moment."""
    import json
    import urllib.request

    from rest_framework.authtoken.models import Token

    first = UserFactory(username="olena", role="Editors")
    second = UserFactory(username="taras", role="Editors")
    keys = [Token.objects.create(user=user).key for user in (first, second)]
    drafts = [
        ComplianceEventFactory(is_published=False, count=None, location="") for _ in range(21)
    ]

    def patch(key, draft, body):
        request = urllib.request.Request(
            f"{live_server.url}/api/staff/events/{draft.pk}/",
            data=json.dumps({**body, "reason": "Desk"}).encode(),
            headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
            method="PATCH",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    for draft in drafts:
        outcomes = run_together(
            lambda draft=draft: patch(keys[0], draft, {"count": 4}),
            lambda draft=draft: patch(keys[1], draft, {"location": "Kherson port"}),
        )
        assert outcomes == [200, 200]

    stored = ComplianceEvent.objects.filter(pk__in=[d.pk for d in drafts])
    assert {(claim.count, claim.location) for claim in stored} == {(4, "Kherson port")}


def test_two_reviewers_publishing_one_revision_publish_it_once(db):
    editor = UserFactory(username="editor", role="Editors")
    first = UserFactory(username="first", role="Reviewers")
    second = UserFactory(username="second", role="Reviewers")
    claim = ComplianceEventFactory(summary="Shelling.")
    services.edit_record(claim, {"summary": "Two strikes."}, actor=editor, reason="Readout")
    revision = services.pending_revision(claim)

    outcomes = run_together(
        lambda: services.publish_revision(revision, actor=first, reason="Checked"),
        lambda: services.publish_revision(revision, actor=second, reason="Checked"),
    )

    assert sum(isinstance(o, Revision) for o in outcomes) == 1
    assert sum(isinstance(o, services.PublishingRefused) for o in outcomes) == 1
    stored = ComplianceEvent.objects.get(pk=claim.pk)
    assert stored.summary == "Two strikes."
    assert stored.history.filter(history_change_reason="Readout").count() == 1


def test_two_editors_proposing_at_once_leave_one_pending_revision_holding_both(db):
    first = UserFactory(username="olena", role="Editors")
    second = UserFactory(username="taras", role="Editors")
    claim = ComplianceEventFactory(count=None, location="")

    outcomes = run_together(
        lambda: services.edit_record(claim, {"count": 4}, actor=first, reason="Four"),
        lambda: services.edit_record(claim, {"location": "Kherson"}, actor=second, reason="Where"),
    )

    assert all(isinstance(o, services.Edit) for o in outcomes)
    pending = Revision.objects.get(state="pending")
    assert set(pending.changes) == {"count", "location_en"}
    assert Revision.objects.filter(state="replaced", replaced_by=pending).count() == 1
