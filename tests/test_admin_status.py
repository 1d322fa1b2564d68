"""Changing a commitment's status, extending its window and choosing its
working reading from the admin: each is its own page that asks why, goes
through the services, and shows their refusal without changing anything."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import CommitmentFactory, ReadingFactory
from tracker.models import Commitment, StatusChange
from tracker.models.validators import REASON_NEEDED

UTC = dt.UTC


@pytest.fixture
def pause(db):
    commitment = CommitmentFactory(title="Energy strike pause", status="in_force")
    ReadingFactory(
        commitment=commitment,
        label="Kremlin's count",
        starts_at=dt.datetime(2025, 3, 17, 21, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 16, 21, tzinfo=UTC),
        time_zone="Europe/Moscow",
    )
    return commitment


def status_url(commitment):
    return reverse("admin:tracker_commitment_status", args=[commitment.pk])


def offered_targets(response):
    return dict(response.context["form"].fields["to_status"].choices)


def test_change_page_has_a_change_status_button(client, reviewer, pause):
    client.force_login(reviewer)
    response = client.get(reverse("admin:tracker_commitment_change", args=[pause.pk]))
    assert status_url(pause) in response.text


def test_only_the_moves_the_lifecycle_allows_are_offered(client, editor, pause):
    Commitment.objects.filter(pk=pause.pk).update(is_published=False)
    client.force_login(editor)
    response = client.get(status_url(pause))
    moves = offered_targets(response)["Lifecycle"]
    assert [label for _, label in moves] == ["Suspended", "Expired", "Collapsed", "Superseded"]
    assert "Correction only" not in offered_targets(response)
    assert "correction" not in response.context["form"].fields


def test_reviewers_are_also_offered_corrections(client, reviewer, db):
    fulfilled = CommitmentFactory(shape="deliverable", status="fulfilled")
    client.force_login(reviewer)
    response = client.get(status_url(fulfilled))
    targets = offered_targets(response)
    assert targets["Lifecycle"] == []
    assert [label for _, label in targets["Correction only"]] == [
        "Announced",
        "In force",
        "Suspended",
        "Collapsed",
        "Superseded",
    ]
    assert "This corrects a wrong record" in response.text


def test_a_status_change_records_the_user_and_the_reason(client, reviewer, pause):
    client.force_login(reviewer)
    with time_machine.travel(dt.datetime(2025, 4, 1, 12, tzinfo=UTC), tick=False):
        response = client.post(
            status_url(pause),
            {
                "to_status": "suspended",
                "effective_at_0": "2025-03-31",
                "effective_at_1": "18:00",
                "reason": "Both sides report strikes on substations",
            },
        )
    assert response.status_code == 302
    pause.refresh_from_db()
    assert pause.status == "suspended"
    change = StatusChange.objects.get(commitment=pause)
    assert (change.from_status, change.to_status) == ("in_force", "suspended")
    assert change.user == reviewer
    assert change.actor == StatusChange.Actor.REVIEWER
    assert change.reason == "Both sides report strikes on substations"
    assert change.recorded_at == dt.datetime(2025, 4, 1, 12, tzinfo=UTC)
    record = pause.history.order_by("history_id").last()
    assert record.history_user == reviewer
    assert record.history_change_reason == "Both sides report strikes on substations"


def test_took_effect_at_is_typed_in_the_working_readings_zone_and_said_in_utc_too(
    client, reviewer, pause
):
    """The Kremlin's reading is worded in Moscow time: 18:00 there is 15:00 UTC."""
    client.force_login(reviewer)
    with time_machine.travel(dt.datetime(2025, 4, 1, 12, tzinfo=UTC), tick=False):
        form_page = client.get(status_url(pause))
        response = client.post(
            status_url(pause),
            {
                "to_status": "suspended",
                "effective_at_0": "2025-03-31",
                "effective_at_1": "18:00",
                "reason": "Both sides report strikes on substations",
            },
        )
        page = client.get(response.url)
    assert '<option value="Europe/Moscow" selected>' in form_page.text
    assert "on the clock of <a" in form_page.text and "UTC+03:00" in form_page.text
    assert "The zone of the working reading “Kremlin&#x27;s count”" in form_page.text
    change = StatusChange.objects.get(commitment=pause)
    assert change.effective_at == dt.datetime(2025, 3, 31, 15, tzinfo=UTC)
    assert (
        "“Energy strike pause” is now suspended, since 2025-03-31 18:00 Europe/Moscow "
        "(2025-03-31 15:00 UTC)." in page.text
    )


@pytest.mark.parametrize(
    ("typed", "precision", "said"),
    [("00:00", "day", "31 March 2025"), ("18:00", "minute", "31 March 2025, 15:00 UTC")],
)
def test_a_change_typed_at_midnight_is_kept_as_that_day_in_the_readings_zone(
    client, reviewer, pause, typed, precision, said
):
    """As on the other staff forms, a time of 00:00 means the day alone."""
    client.force_login(reviewer)
    with time_machine.travel(dt.datetime(2025, 4, 1, 12, tzinfo=UTC), tick=False):
        client.post(
            status_url(pause),
            {
                "to_status": "suspended",
                "effective_at_0": "2025-03-31",
                "effective_at_1": typed,
                "reason": "Both sides report strikes on substations",
            },
        )
        page = client.get(pause.get_absolute_url()).content.decode()

    change = StatusChange.objects.get(commitment=pause)
    pause.refresh_from_db()
    assert (change.precision, change.time_zone) == (precision, "Europe/Moscow")
    assert (pause.status_changed_precision, pause.status_changed_zone) == (
        precision,
        "Europe/Moscow",
    )
    assert f"since {said}" in page


def test_a_refused_status_change_shows_the_typed_time_in_utc(client, editor, pause):
    client.force_login(editor)
    with time_machine.travel(dt.datetime(2025, 4, 1, 12, tzinfo=UTC), tick=False):
        response = client.post(
            status_url(pause),
            {"to_status": "suspended", "effective_at_0": "2025-03-31", "effective_at_1": "18:00"},
        )
    assert response.status_code == 200
    assert "will be stored as 2025-03-31 15:00 UTC" in response.text
    assert "Europe/Moscow</a>" in response.text
    assert not StatusChange.objects.exists()


def test_without_a_working_reading_took_effect_at_is_typed_in_utc(client, reviewer, db):
    announced = CommitmentFactory(status="announced")
    client.force_login(reviewer)
    with time_machine.travel(dt.datetime(2025, 4, 1, 12, tzinfo=UTC), tick=False):
        form_page = client.get(status_url(announced))
        client.post(
            status_url(announced),
            {
                "to_status": "in_force",
                "effective_at_0": "2025-03-31",
                "effective_at_1": "18:00",
                "reason": "Entered into force",
            },
        )
    assert '<option value="UTC" selected>' in form_page.text
    assert "The commitment has no working reading whose zone to use" in form_page.text
    change = StatusChange.objects.get(commitment=announced)
    assert change.effective_at == dt.datetime(2025, 3, 31, 18, tzinfo=UTC)


def test_a_correction_is_logged_as_one(client, reviewer, db):
    fulfilled = CommitmentFactory(shape="deliverable", status="fulfilled")
    client.force_login(reviewer)
    response = client.post(
        status_url(fulfilled),
        {"to_status": "in_force", "correction": "on", "reason": "Only half was exchanged"},
    )
    assert response.status_code == 302
    change = StatusChange.objects.get(commitment=fulfilled)
    assert change.is_correction
    assert change.user == reviewer
    assert fulfilled.history.latest().history_change_reason == "Correction: Only half was exchanged"


def test_a_correction_target_without_the_correction_box_is_refused(client, reviewer, db):
    fulfilled = CommitmentFactory(shape="deliverable", status="fulfilled")
    client.force_login(reviewer)
    response = client.post(
        status_url(fulfilled), {"to_status": "in_force", "reason": "Only half was exchanged"}
    )
    assert response.status_code == 200
    assert "Fulfilled is final; use a correction to change it to in force." in response.text
    assert Commitment.objects.get(pk=fulfilled.pk).status == "fulfilled"
    assert not StatusChange.objects.exists()


def test_a_status_change_without_a_reason_changes_nothing(client, editor, pause):
    client.force_login(editor)
    response = client.post(status_url(pause), {"to_status": "suspended", "reason": " "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [REASON_NEEDED]
    assert Commitment.objects.get(pk=pause.pk).status == "in_force"
    assert not StatusChange.objects.exists()


def test_a_change_taking_effect_in_the_future_is_refused(client, editor, pause):
    client.force_login(editor)
    with time_machine.travel(dt.datetime(2025, 4, 1, tzinfo=UTC), tick=False):
        response = client.post(
            status_url(pause),
            {
                "to_status": "collapsed",
                "effective_at_0": "2025-05-01",
                "effective_at_1": "00:00",
                "reason": "Announced withdrawal",
            },
        )
    assert "A change cannot take effect in the future" in response.text
    assert Commitment.objects.get(pk=pause.pk).status == "in_force"


def test_a_change_taking_effect_before_1900_is_refused(client, editor, pause):
    client.force_login(editor)
    response = client.post(
        status_url(pause),
        {
            "to_status": "suspended",
            "effective_at_0": "0025-03-18",
            "effective_at_1": "00:00",
            "reason": "Talks broke down",
        },
    )
    assert response.context["form"].errors["effective_at"] == [
        "A date before 1900 cannot be meant here; check the year."
    ]
    assert Commitment.objects.get(pk=pause.pk).status == "in_force"


def test_a_move_made_stale_by_someone_else_is_refused(client, editor, pause):
    """The page was opened while in force; meanwhile the clock expired it."""
    client.force_login(editor)
    form_page = client.get(status_url(pause))
    assert "suspended" in dict(offered_targets(form_page)["Lifecycle"])
    Commitment.objects.filter(pk=pause.pk).update(status="suspended")
    response = client.post(status_url(pause), {"to_status": "suspended", "reason": "Strikes"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not StatusChange.objects.exists()


# Extending a window -----------------------------------------------------------------


def extend_url(commitment):
    return reverse("admin:tracker_commitment_extend", args=[commitment.pk])


def test_a_window_is_extended_by_days_in_its_own_time_zone(client, reviewer, pause):
    client.force_login(reviewer)
    response = client.post(
        extend_url(pause), {"extra_days": "30", "reason": "Extended by mutual agreement"}
    )
    assert response.status_code == 302
    reading = pause.working_reading()
    assert reading.ends_at == dt.datetime(2025, 5, 16, 21, tzinfo=UTC)
    assert reading.history.latest().history_user == reviewer
    assert "Extended by mutual agreement" in reading.history.latest().history_change_reason


def test_a_window_is_extended_to_a_new_end_typed_in_its_time_zone(client, reviewer, pause):
    client.force_login(reviewer)
    response = client.post(
        extend_url(pause),
        {"new_end_0": "2025-05-11", "new_end_1": "00:00", "reason": "Talks continue"},
    )
    assert response.status_code == 302
    assert pause.working_reading().ends_at == dt.datetime(2025, 5, 10, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"new_end_0": "2025-04-01", "new_end_1": "00:00"},
            "An extension must move the end later.",
        ),
        ({"extra_days": "-3"}, "An extension must add at least one day."),
        ({}, "Give either a new end or a number of days to add."),
    ],
    ids=["earlier end", "negative days", "nothing given"],
)
def test_a_bad_extension_is_refused_and_the_end_stays(client, editor, pause, data, message):
    client.force_login(editor)
    response = client.post(extend_url(pause), data | {"reason": "Extended"})
    assert response.status_code == 200
    assert message in response.text
    assert pause.working_reading().ends_at == dt.datetime(2025, 4, 16, 21, tzinfo=UTC)


def test_an_ended_window_offers_no_extension(client, editor, db):
    expired = CommitmentFactory(status="expired")
    ReadingFactory(commitment=expired)
    client.force_login(editor)
    page = client.get(reverse("admin:tracker_commitment_change", args=[expired.pk]))
    assert extend_url(expired) not in page.text
    response = client.post(
        extend_url(expired), {"extra_days": "30", "reason": "Renewed"}, follow=True
    )
    assert "a renewal after it ended is a new commitment" in response.text
    assert expired.working_reading().ends_at == dt.datetime(2025, 4, 17, tzinfo=UTC)


# The working reading ----------------------------------------------------------------


def test_another_reading_is_made_the_working_one(client, reviewer, pause):
    ukraine_count = ReadingFactory(
        commitment=pause,
        label="Ukraine's count",
        is_working=False,
        starts_at=dt.datetime(2025, 3, 24, 22, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 23, 21, tzinfo=UTC),
    )
    client.force_login(reviewer)
    url = reverse("admin:tracker_reading_make_working", args=[ukraine_count.pk])
    page = client.get(reverse("admin:tracker_reading_change", args=[ukraine_count.pk]))
    assert url in page.text
    response = client.post(url, {"reason": "Both sides now count from 25 March"})
    assert response.status_code == 302
    assert pause.working_reading() == ukraine_count
    assert ukraine_count.history.latest().history_change_reason == (
        "Both sides now count from 25 March"
    )
