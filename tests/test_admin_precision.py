"""Typing a time of day makes an instant precise to the minute, unless staff choose otherwise.

The rule lives in the admin forms' ``clean`` (``tracker.staff.precision``), so it
holds without JavaScript; ``tests/browser/test_admin_entry.py`` shows the list
following the typing in a browser.
"""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import CommitmentFactory, ComplianceEventFactory, PartyFactory
from tracker.models import ComplianceEvent, Reading
from tracker.staff.precision import FOLLOW_TIMES, settle

UTC = dt.UTC


@pytest.fixture
def truce(db):
    return CommitmentFactory(title="Easter truce", slug="easter-truce")


def reading_form(commitment, **changes):
    return {
        "commitment": commitment.pk,
        "label_en": "Kremlin's count",
        "time_zone": "Europe/Moscow",
        "precision": FOLLOW_TIMES,
        "starts_at_0": "2025-04-19",
        "starts_at_1": "18:00",
        "ends_at_0": "2025-04-21",
        "ends_at_1": "00:00",
        "due_at_0": "",
        "due_at_1": "",
        "duration_days": "",
        "reason": "Putin announced the truce on 19 April",
    } | changes


def add_reading(client, commitment, **changes) -> Reading:
    url = reverse("admin:tracker_reading_add")
    response = client.post(url, reading_form(commitment, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Reading.objects.get(label="Kremlin's count")


def test_a_new_readings_precision_follows_the_times_typed_by_default(client, editor, truce):
    client.force_login(editor)

    page = client.get(reverse("admin:tracker_reading_add"))
    reading = add_reading(client, truce)

    assert page.context["adminform"].form["precision"].value() == FOLLOW_TIMES
    assert reading.precision == "minute"
    assert reading.starts_at == dt.datetime(2025, 4, 19, 15, tzinfo=UTC)


def test_times_at_midnight_make_a_day(client, editor, truce):
    client.force_login(editor)

    reading = add_reading(client, truce, starts_at_1="00:00")

    assert reading.precision == "day"


@pytest.mark.parametrize("chosen", ["day", "hour"])
def test_a_precision_staff_choose_is_kept_whatever_the_time(client, editor, truce, chosen):
    client.force_login(editor)

    reading = add_reading(client, truce, precision=chosen)

    assert reading.precision == chosen


def test_retyping_a_time_finer_than_the_stored_precision_makes_it_minute(client, editor, truce):
    client.force_login(editor)
    reading = add_reading(client, truce, starts_at_1="00:00")
    url = reverse("admin:tracker_reading_change", args=[reading.pk])

    response = client.post(url, reading_form(truce, precision="day", reason="Time from the decree"))

    assert response.status_code == 302
    reading.refresh_from_db()
    assert reading.precision == "minute"


def test_editing_another_field_keeps_a_stored_day(client, editor, truce):
    client.force_login(editor)
    reading = add_reading(client, truce, precision="day")
    url = reverse("admin:tracker_reading_change", args=[reading.pk])

    response = client.post(
        url, reading_form(truce, precision="day", scope_en="Energy only", reason="Scope")
    )

    assert response.status_code == 302
    reading.refresh_from_db()
    assert (reading.precision, reading.scope) == ("day", "Energy only")


def test_an_events_precision_follows_its_time_too(client, editor, truce):
    russia = PartyFactory(name="Russia", slug="russia")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    client.force_login(editor)
    data = {
        "commitment": truce.pk,
        "kind": "alleged_violation",
        "claimant": russia.pk,
        "accused": ukraine.pk,
        "occurred_at_0": "2025-04-19",
        "occurred_at_1": "18:10",
        "precision": FOLLOW_TIMES,
        "summary_en": "Shelling ten minutes into the truce",
        "recorded_at_0": "2025-04-19",
        "recorded_at_1": "20:00",
        "reason": "Russian defence ministry statement",
        "quantities-TOTAL_FORMS": "0",
        "quantities-INITIAL_FORMS": "0",
    }

    with_time = client.post(reverse("admin:tracker_complianceevent_add"), data)
    a_day = client.post(
        reverse("admin:tracker_complianceevent_add"),
        data | {"occurred_at_1": "00:00", "summary_en": "A day of shelling"},
    )

    assert with_time.status_code == a_day.status_code == 302
    assert ComplianceEvent.objects.get(summary__startswith="Shelling").precision == "minute"
    assert ComplianceEvent.objects.get(summary="A day of shelling").precision == "day"


def test_an_events_edit_page_offers_the_stored_precision(client, editor, truce):
    event = ComplianceEventFactory(commitment=truce, precision="hour")
    client.force_login(editor)

    page = client.get(reverse("admin:tracker_complianceevent_change", args=[event.pk]))

    form = page.context["adminform"].form
    assert form["precision"].value() == "hour"
    assert 'data-precision-times="id_occurred_at_1 id_occurred_until_1"' in page.text
    assert "tracker/admin/precision.js" in page.text


@pytest.mark.parametrize(
    "chosen, chosen_now, typed, retyped, expected",
    [
        (FOLLOW_TIMES, False, ["18:00"], ["18:00"], "minute"),
        (FOLLOW_TIMES, False, ["00:00", "00:00"], ["00:00"], "day"),
        (FOLLOW_TIMES, False, [], [], "day"),
        ("day", True, ["18:00"], ["18:00"], "day"),
        ("day", False, ["18:00"], ["18:00"], "minute"),
        ("day", False, ["18:00"], [], "day"),
        ("hour", False, ["18:00"], ["18:00"], "hour"),
        ("hour", False, ["18:30"], ["18:30"], "minute"),
        ("minute", False, ["00:00"], ["00:00"], "minute"),
    ],
)
def test_the_rule(chosen, chosen_now, typed, retyped, expected):
    def at(time):
        hour, minute = map(int, time.split(":"))
        return dt.datetime(2025, 4, 19, hour, minute)

    precision = settle(
        chosen,
        chosen_now=chosen_now,
        typed=[at(t) for t in typed],
        retyped=[at(t) for t in retyped],
    )

    assert precision == expected
