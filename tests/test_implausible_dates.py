"""Dates a monitor cannot mean are refused by every door, with the same words.

"0050-03-20" is 2025 mistyped, and a claim recorded "in 2099" sits on top of its feed
for seventy years: an event's or a record's time before 1900, or further in the future
than the clocks' disagreement allows (``clock.CLOCK_SKEW``), is refused before it
reaches the database. One table of bad values is sent through the admin form, the
import (which names the line and the column) and the staff API (which names the
field); each door answers with the words of the one rule,
``tracker.models.validate_reported_instant``.
"""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import CommitmentFactory, ComplianceEventFactory, PartyFactory
from tests.intake_support import claim_row, claims_csv
from tracker import services
from tracker.models import ComplianceEvent, validate_reported_instant
from tracker.models.validators import (
    BEFORE_1900,
    EVENT_IN_THE_FUTURE,
    RECORDED_IN_THE_FUTURE,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)

# (field, ISO 8601 instant, the words every door answers with)
BAD_DATES = [
    ("occurred_at", "0050-03-20T10:00:00Z", BEFORE_1900),
    ("occurred_at", "0001-01-01T00:00:00Z", BEFORE_1900),
    ("occurred_at", "1899-12-31T23:59:00Z", BEFORE_1900),
    ("occurred_at", "2099-03-20T10:00:00Z", EVENT_IN_THE_FUTURE),
    ("occurred_at", "2025-04-10T12:06:00Z", EVENT_IN_THE_FUTURE),
    ("occurred_until", "2099-03-20T10:00:00Z", EVENT_IN_THE_FUTURE),
    ("recorded_at", "0550-03-20T10:00:00Z", BEFORE_1900),
    ("recorded_at", "2099-03-20T10:00:00Z", RECORDED_IN_THE_FUTURE),
]
# An import records every claim now, whatever the file says: recorded_at is read past.
IMPORTED_FIELDS = {"occurred_at", "occurred_until"}
GOOD_EDGES = [("occurred_at", "1900-01-01T00:00:00Z"), ("occurred_at", "2025-04-10T12:04:00Z")]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pause(db):
    PartyFactory(slug="russia", name="Russia")
    PartyFactory(slug="ukraine", name="Ukraine")
    return CommitmentFactory(slug="energy-pause", title="Energy pause")


def parse(instant: str) -> dt.datetime:
    return dt.datetime.fromisoformat(instant)


# The admin form -----------------------------------------------------------------------


def admin_form(commitment, **instants) -> dict:
    """The add form as a person fills it in, each instant typed as a date and a time in UTC."""
    typed = {"occurred_at": "2025-04-02T06:00:00Z", "recorded_at": "2025-04-10T11:00:00Z"}
    typed.update(instants)
    data = {
        "commitment": commitment.pk,
        "kind": "alleged_violation",
        "precision": "minute",
        "summary_en": "Drone strike on a substation in Kharkiv region",
        "reason": "Ministry's daily list",
        "quantities-TOTAL_FORMS": "0",
        "quantities-INITIAL_FORMS": "0",
        "occurred_until_0": "",
        "occurred_until_1": "",
    }
    for name, value in typed.items():
        instant = parse(value)
        data[f"{name}_0"] = instant.date().isoformat()
        data[f"{name}_1"] = f"{instant:%H:%M}"
    return data


@pytest.mark.parametrize(("field", "value", "message"), BAD_DATES)
def test_the_admin_form_refuses_a_date_no_monitor_can_mean(
    client, editor, pause, field, value, message
):
    client.force_login(editor)

    response = client.post(
        reverse("admin:tracker_complianceevent_add"), admin_form(pause, **{field: value})
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert not ComplianceEvent.objects.exists()


@pytest.mark.parametrize(("field", "value"), GOOD_EDGES)
def test_the_admin_form_takes_the_first_and_last_dates_allowed(client, editor, pause, field, value):
    client.force_login(editor)

    response = client.post(
        reverse("admin:tracker_complianceevent_add"), admin_form(pause, **{field: value})
    )

    assert response.status_code == 302
    assert ComplianceEvent.objects.get().occurred_at == parse(value)


# The import ---------------------------------------------------------------------------


def import_file(tmp_path, data: bytes) -> tuple[str, str | None]:
    path = tmp_path / "claims.csv"
    path.write_bytes(data)
    out = io.StringIO()
    try:
        call_command("import_events", str(path), "--user", "editor", stdout=out, stderr=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


@pytest.mark.parametrize(
    ("field", "value", "message"), [row for row in BAD_DATES if row[0] in IMPORTED_FIELDS]
)
def test_the_import_refuses_a_date_no_monitor_can_mean_naming_line_and_column(
    tmp_path, editor, pause, field, value, message
):
    out, error = import_file(tmp_path, claims_csv(claim_row(**{field: value})))

    assert error is not None
    assert f"Line 2, column {field}: {message}" in out
    assert not ComplianceEvent.objects.exists()


@pytest.mark.parametrize(("field", "value"), GOOD_EDGES)
def test_the_import_takes_the_first_and_last_dates_allowed(tmp_path, editor, pause, field, value):
    out, error = import_file(tmp_path, claims_csv(claim_row(**{field: value})))

    assert error is None, out
    assert ComplianceEvent.objects.get().occurred_at == parse(value)


# The staff API ------------------------------------------------------------------------


def post_claim(client, user, **fields):
    body = {
        "commitment": "energy-pause",
        "kind": "alleged_violation",
        "claimant": "ukraine",
        "accused": "russia",
        "occurred_at": "2025-04-02T06:00:00Z",
        "summary": "Drone strike on a substation in Kharkiv region",
        "reason": "Ministry's daily list",
    } | fields
    token = Token.objects.get_or_create(user=user)[0].key
    return client.post(
        "/api/staff/events/",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )


@pytest.mark.parametrize(("field", "value", "message"), BAD_DATES)
def test_the_staff_api_refuses_a_date_no_monitor_can_mean_naming_the_field(
    client, editor, pause, field, value, message
):
    response = post_claim(client, editor, **{field: value})

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not ComplianceEvent.objects.exists()


@pytest.mark.parametrize(("field", "value", "message"), BAD_DATES)
def test_the_staff_api_refuses_an_edit_to_a_date_no_monitor_can_mean(
    client, editor, pause, field, value, message
):
    event = ComplianceEventFactory(commitment=pause)
    token = Token.objects.get_or_create(user=editor)[0].key

    response = client.patch(
        f"/api/staff/events/{event.pk}/",
        json.dumps({field: value, "reason": "Typo"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert ComplianceEvent.objects.get().occurred_at == event.occurred_at


@pytest.mark.parametrize(("field", "value"), GOOD_EDGES)
def test_the_staff_api_takes_the_first_and_last_dates_allowed(client, editor, pause, field, value):
    response = post_claim(client, editor, **{field: value})

    assert response.status_code == 201, response.content
    assert ComplianceEvent.objects.get().occurred_at == parse(value)


# The rule itself ---------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "message"), BAD_DATES)
def test_the_services_refuse_what_every_door_refuses(editor, pause, field, value, message):
    event = ComplianceEvent(
        commitment=pause,
        kind="alleged_violation",
        occurred_at=dt.datetime(2025, 4, 2, 6, tzinfo=UTC),
        summary="Drone strike",
    )
    setattr(event, field, parse(value))

    with pytest.raises(services.InvalidEvent) as refusal:
        services.record_event(event, actor=editor, reason="Ministry's daily list")

    assert refusal.value.message_dict == {field: [message]}


def test_the_rule_lets_a_reporters_clock_run_a_little_ahead_of_ours():
    validate_reported_instant(NOW + dt.timedelta(minutes=4, seconds=59))
    with pytest.raises(Exception, match="in the future"):
        validate_reported_instant(NOW + dt.timedelta(minutes=5, seconds=1))
