"""Every door refuses the same bad value with the same words.

One table of bad values, each sent through the admin's claim form (the error under
the field), the import (the line and the column) and the staff API (the field's
error). Each door must answer with the words of the table, which are the one rule's
(``tracker.models.validators``, ``tracker.regions``, Django's length limit), and
write nothing.

Where a door cannot be given the value, it is left out of that row: the import
writes its own reason ("Imported from …") and records every claim now, and the
admin names a party by its identifier, not its slug (so its words name the
identifier typed).
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import CommitmentFactory, PartyFactory
from tests.intake_support import claim_row, claims_csv
from tests.test_implausible_dates import admin_form, import_file, post_claim
from tracker.models import ComplianceEvent
from tracker.models.validators import (
    BEFORE_1900,
    CONTROL_CHARACTERS,
    EVENT_IN_THE_FUTURE,
    REASON_NEEDED,
    REQUIRED,
    no_such,
)
from tracker.regions import unknown_code_message

NOW = dt.datetime(2025, 4, 10, 12, tzinfo=dt.UTC)
TOO_LONG = "Ensure this value has at most 330 characters (it has 331)."
EVERY_DOOR = ("admin", "import", "api")
NOT_IMPORTED = ("admin", "api")


# (what is wrong, field, value, the words every door answers with, the doors it is sent to)
# fmt: off
BAD_INPUTS = [
    ("a date before 1900", "occurred_at", "0050-03-20T10:00:00Z", BEFORE_1900, EVERY_DOOR),
    ("a date far ahead", "occurred_at", "2099-03-20T10:00:00Z", EVENT_IN_THE_FUTURE, EVERY_DOOR),
    ("an end far ahead", "occurred_until", "2099-01-01T00:00Z", EVENT_IN_THE_FUTURE, EVERY_DOOR),
    ("a blank reason", "reason", "   ", REASON_NEEDED, NOT_IMPORTED),
    ("a blank summary", "summary", "  ", REQUIRED, EVERY_DOOR),
    ("an escape code", "summary", "Shelling \x1b[31mnear Kupiansk", CONTROL_CHARACTERS, EVERY_DOOR),
    ("a NUL byte", "location", "Kupi\x00ansk", CONTROL_CHARACTERS, EVERY_DOOR),
    ("a line break in a line", "location", "Kupiansk\nKharkiv", CONTROL_CHARACTERS, EVERY_DOOR),
    ("a bell in a translation", "summary_uk", "Обстріл\x07", CONTROL_CHARACTERS, EVERY_DOOR),
    ("an unknown region", "region", "XX-99", unknown_code_message("XX-99"), EVERY_DOOR),
    ("an over-long text", "location", "x" * 331, TOO_LONG, EVERY_DOOR),
    ("an unknown party", "claimant", "kremlin", no_such("party", "kremlin"), ("import", "api")),
    ("an unknown party", "claimant", "999999", no_such("party", "999999"), ("admin",)),
]
# fmt: on

CASES = [
    pytest.param(door, field, value, words, id=f"{what} | {door}")
    for what, field, value, words, doors in BAD_INPUTS
    for door in doors
]
# A text is typed in the admin under its English column.
ADMIN_FIELDS = {"summary": "summary_en", "location": "location_en"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pause(db):
    PartyFactory(slug="russia", name="Russia")
    PartyFactory(slug="ukraine", name="Ukraine")
    return CommitmentFactory(slug="energy-pause", title="Energy pause")


def through_the_admin(client, editor, pause, field, value) -> list[str]:
    client.force_login(editor)
    instants = {field: value} if field.startswith("occurred") else {}
    data = admin_form(pause, **instants)
    if not field.startswith("occurred"):
        data[ADMIN_FIELDS.get(field, field)] = value
    response = client.post(reverse("admin:tracker_complianceevent_add"), data)
    assert response.status_code == 200, "the admin saved a claim it should have refused"
    return response.context["adminform"].form.errors[ADMIN_FIELDS.get(field, field)]


def through_the_import(tmp_path, field, value) -> list[str]:
    out, error = import_file(tmp_path, claims_csv(claim_row(**{field: value})))
    assert error is not None, out
    prefix = f"Line 2, column {field}: "
    return [line.split(prefix, 1)[1] for line in out.splitlines() if prefix in line]


def through_the_api(client, editor, field, value) -> list[str]:
    response = post_claim(client, editor, **{field: value})
    assert response.status_code == 400, response.content
    return response.json()[field]


@pytest.mark.parametrize(("door", "field", "value", "words"), CASES)
def test_every_door_refuses_a_bad_value_with_the_same_words(
    client, editor, pause, tmp_path, door, field, value, words
):
    if door == "admin":
        said = through_the_admin(client, editor, pause, field, value)
    elif door == "import":
        said = through_the_import(tmp_path, field, value)
    else:
        said = through_the_api(client, editor, field, value)

    assert said == [words]
    assert not ComplianceEvent.objects.exists()
