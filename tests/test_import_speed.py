"""The quicker ways an import makes and checks each claim give what the slower ones gave.

An import makes a ``ComplianceEvent`` per row without django-modeltranslation's
constructor (``intake.making``) and checks it without Django's ``full_clean``
set-up (``services.checks``): the same record, the same refusals in the same
words. The admin's preview keeps only the rows it lists, however long the file.
"""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests.factories import CommitmentFactory, ComplianceEventFactory, PartyFactory
from tests.intake_support import claim_row, claims_csv
from tracker.models import ComplianceEvent, DeliveredQuantity, Party, Source
from tracker.services import base, checks
from tracker.staff.intake import admin as intake_admin
from tracker.staff.intake.making import new_event
from tracker.translated import reading as translated_reading

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def event_values(**changed) -> dict:
    values = {
        "commitment_id": 5,
        "kind": "alleged_violation",
        "occurred_at": dt.datetime(2025, 4, 2, 6, tzinfo=UTC),
        "occurred_until": None,
        "precision": "hour",
        "location": "",
        "region": "",
        "count": None,
        "summary": "Drone strike on a substation in Kharkiv region",
        "in_response_to_id": None,
        "summary_uk": None,
        "summary_ru": "Удар дрона по подстанции",
        "location_uk": None,
        "location_ru": None,
    }
    values.update(changed)
    return values


def state_of(event: ComplianceEvent) -> tuple[dict, dict]:
    attributes = dict(event.__dict__)
    state = attributes.pop("_state")
    return attributes, dict(state.__dict__)


@pytest.mark.parametrize("language", ["en", "uk", "ru", None])
def test_a_claim_made_from_a_row_is_the_record_its_constructor_makes_in_english(language):
    russia, ukraine = Party(pk=3, slug="russia"), Party(pk=4, slug="ukraine")
    for claimant, accused in ((ukraine, russia), (None, russia), (ukraine, None), (None, None)):
        with translation.override("en"):
            slow = ComplianceEvent(claimant=claimant, accused=accused, **event_values())
        with translation.override(language):
            quick = new_event(claimant=claimant, accused=accused, **event_values())

        assert state_of(quick) == state_of(slow)
        assert quick._state.fields_cache == {"claimant": claimant, "accused": accused}


def test_each_claim_made_is_recorded_at_its_own_moment():
    first = new_event(claimant=None, accused=None, **event_values())
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        second = new_event(claimant=None, accused=None, **event_values())

    assert (first.recorded_at, second.recorded_at) == (NOW, NOW + dt.timedelta(minutes=1))


def refusal(check, *args, **kwargs) -> dict | None:
    """What ``check(*args, **kwargs)`` refuses, field by field; None when nothing."""
    try:
        check(*args, **kwargs)
    except ValidationError as refused:
        return refused.message_dict
    return None


BAD_EVENTS = {
    "nothing wrong": {},
    "an unknown kind": {"kind": "rumour"},
    "an unknown precision": {"precision": "fortnight"},
    "a place too long": {"location": "x" * 400},
    "an unknown region": {"region": "UA-99"},
    "a count below zero": {"count": -3},
    "no summary": {"summary": ""},
    "an instant in the future": {"occurred_at": NOW + dt.timedelta(days=1)},
    "an instant before 1900": {"occurred_at": dt.datetime(1850, 1, 1, tzinfo=UTC)},
    "a period that ends before it starts": {"occurred_until": dt.datetime(2025, 4, 1, tzinfo=UTC)},
    "an answer to no claim": {"in_response_to_id": 999_999},
    "several things at once": {"kind": "", "count": -1, "region": "nowhere"},
}


@pytest.mark.parametrize("what", list(BAD_EVENTS))
@pytest.mark.django_db
def test_the_quicker_checks_refuse_what_full_clean_refuses_in_the_same_words(what):
    commitment = CommitmentFactory(slug="energy-pause")
    ukraine = PartyFactory(slug="ukraine")
    values = event_values(commitment_id=commitment.pk, **BAD_EVENTS[what])
    known = ["commitment", "claimant", "accused", "possible_duplicate_of"]
    made = [
        new_event(claimant=ukraine, accused=None, **values),
        new_event(claimant=ukraine, accused=None, **values),
    ]
    slow, quick = made

    with translation.override("en"):
        expected = refusal(
            slow.full_clean, exclude=known, validate_unique=True, validate_constraints=False
        )
        given = refusal(checks.full_clean, quick, known, validate_unique=True)

    assert given == expected
    assert state_of(quick) == state_of(slow)


@pytest.mark.django_db
def test_a_party_accusing_itself_is_refused_by_both_in_the_same_words():
    commitment = CommitmentFactory(slug="energy-pause")
    ukraine = PartyFactory(slug="ukraine")
    values = event_values(commitment_id=commitment.pk)
    slow = new_event(claimant=ukraine, accused=ukraine, **values)
    quick = new_event(claimant=ukraine, accused=ukraine, **values)

    expected = refusal(slow.full_clean, validate_constraints=False)

    assert refusal(checks.full_clean, quick) == expected
    assert expected == {"accused": ["A party cannot accuse itself."]}


@pytest.mark.django_db
def test_sources_and_quantities_are_checked_as_full_clean_checks_them():
    ukraine = PartyFactory(slug="ukraine")
    event = ComplianceEventFactory()
    for make in (
        lambda: Source(url="not a web address"),
        lambda: Source(url="https://example.org/" + "x" * 3000),
        lambda: Source(url="https://example.org/fine"),
        lambda: DeliveredQuantity(event=event, received_by=ukraine, quantity=-5),
        lambda: DeliveredQuantity(event=event, received_by=ukraine, quantity=5, unit=""),
    ):
        slow, quick = make(), make()
        expected = refusal(slow.full_clean, validate_unique=False, validate_constraints=False)

        assert refusal(checks.full_clean, quick, validate_unique=False) == expected
        assert state_of(quick) == state_of(slow)


@pytest.mark.parametrize(
    "texts",
    [
        {"summary": "Strike\x00 on a substation"},
        {"summary_uk": "Удар\x07"},
        {"location": "Kharkiv\nregion"},
        {"summary": "Two lines\nare fine in a summary\tand tabs"},
    ],
)
def test_control_characters_are_refused_as_before_when_the_texts_are_read_once(texts):
    event = new_event(claimant=None, accused=None, **event_values(**texts))

    with translation.override("en"):
        expected = refusal(base.refuse_control_characters, event)
        given = refusal(base.refuse_control_characters, event, checks.translated_texts(event))

    assert given == expected


# The admin's preview keeps the rows it lists, and counts the rest -------------------------------


def test_a_preview_longer_than_its_list_keeps_only_the_rows_it_lists_and_counts_them_all(
    client, editor, monkeypatch
):
    PartyFactory(slug="russia", name="Russia")
    PartyFactory(slug="ukraine", name="Ukraine")
    CommitmentFactory(slug="energy-pause", title="Energy pause")
    monkeypatch.setattr(intake_admin, "PREVIEW_ROWS", 3)
    monkeypatch.setattr(intake_admin, "LINKED_CLAIMS", 2)
    rows = [claim_row(occurred_at=f"2025-04-0{n + 1}T06:00:00Z", source_urls="") for n in range(5)]
    client.force_login(editor)

    preview = client.post(
        reverse("admin:tracker_complianceevent_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("claims.csv", claims_csv(*rows)),
        },
    )
    page = preview.content.decode()

    assert "5 rows: 5 new, 0 already there, 0 refused" in page
    assert "The first 3 rows are listed; the counts above cover them all." in page
    assert len(preview.context["result"].outcomes) == 3
    assert page.count('<th scope="row">line ') == 3

    form = preview.context["confirm_form"]
    done = client.post(
        reverse("admin:tracker_complianceevent_process_import"),
        {name: form[name].value() for name in form.fields},
        follow=True,
    )

    made = list(ComplianceEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert len(made) == 5
    message = str(list(done.context["messages"])[0])
    assert "Show the first 2 of the 5 claims it made" in message
    assert f"?id__in={made[0]},{made[1]}" in message


@pytest.mark.parametrize("language", ["en", "uk", "ru"])
@pytest.mark.django_db
def test_texts_read_from_their_columns_are_what_reading_the_record_gives(language):
    made = [
        ComplianceEventFactory(summary="Strike", summary_uk="Удар", location="Kharkiv"),
        ComplianceEventFactory(summary="Strike", summary_uk=None, location=""),
        ComplianceEventFactory(summary="Strike", summary_uk="", location_ru="Харьков"),
    ]
    ComplianceEvent.objects.filter(pk=made[2].pk).update(summary_en=None, location_en="")
    names = ("summary", "location")

    with translation.override(language):
        expected = list(ComplianceEvent.objects.order_by("pk").values_list(*names))
        columns, texts = translated_reading(ComplianceEvent, names)
        rows = ComplianceEvent.objects.rewrite(False).order_by("pk").values(*columns)
        given = [texts(row) for row in rows]

    assert given == expected


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_an_editor_reading_the_admin_in_another_language_imports_the_claims_as_written(
    client, editor, language
):
    PartyFactory(slug="russia", name="Russia")
    PartyFactory(slug="ukraine", name="Ukraine")
    CommitmentFactory(slug="energy-pause", title="Energy pause")
    client.force_login(editor)
    data = claims_csv(claim_row(summary_uk="Удар дрона по підстанції"))

    preview = client.post(
        reverse("admin:tracker_complianceevent_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("claims.csv", data)},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    form = preview.context["confirm_form"]
    client.post(
        reverse("admin:tracker_complianceevent_process_import"),
        {name: form[name].value() for name in form.fields},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert "1 rows: 1 new, 0 already there, 0 refused" in preview.content.decode()
    event = ComplianceEvent.objects.get()
    assert (event.summary_en, event.summary_uk) == (
        "Drone strike on a substation in Kharkiv region",
        "Удар дрона по підстанції",
    )
