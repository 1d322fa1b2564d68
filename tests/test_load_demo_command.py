"""`manage.py load_demo`: loads the demo data once, and refuses a bad file whole."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command

from tests.factories import PartyFactory
from tracker.demo import loader as demo
from tracker.models import Commitment, Party

SUMMER_2025 = dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC)


def load_demo(*args) -> str:
    out = io.StringIO()
    with time_machine.travel(SUMMER_2025, tick=False):
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows in every table, history and link tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def demo_file_data() -> dict:
    return json.loads(demo.DEFAULT_FILE.read_text(encoding="utf-8"))


def write(tmp_path, data) -> str:
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_loading_says_what_it_loaded(db):
    output = load_demo()
    assert "Loaded 6 parties, 23 sources, 6 agreements, 9 commitments" in output
    assert "21 events" in output


def test_loading_twice_changes_nothing(db):
    load_demo()
    before = row_counts()
    last_edit = max(Commitment.objects.values_list("updated_at", flat=True))

    output = load_demo()

    assert row_counts() == before
    assert max(Commitment.objects.values_list("updated_at", flat=True)) == last_edit
    assert "Nothing new" in output
    assert "left as they were: 6 parties, 23 sources, 6 agreements, 9 commitments" in output


def test_records_already_there_are_reused_not_duplicated(db):
    russia = PartyFactory(slug="russia", name="Russia", time_zone="Europe/Moscow")

    load_demo()

    assert Party.objects.filter(slug="russia").get() == russia
    assert Commitment.objects.get(slug="energy-strike-pause").roles.filter(party=russia).exists()


def test_a_commitment_edited_since_is_not_overwritten(db):
    load_demo()
    Commitment.objects.filter(slug="energy-strike-pause").update(title="Energy pause (edited)")

    load_demo()

    pause = Commitment.objects.get(slug="energy-strike-pause")
    assert pause.title == "Energy pause (edited)"
    assert pause.events.count() == 12
    assert pause.status_changes.count() == 2


def test_a_broken_record_late_in_the_file_leaves_the_database_untouched(db, tmp_path):
    data = demo_file_data()
    data["agreements"][-1]["commitments"][-1]["events"][-1]["kind"] = "massacre"
    before = row_counts()

    with pytest.raises(CommandError) as refused:
        load_demo("--file", write(tmp_path, data))

    assert str(refused.value).startswith("Nothing was loaded.")
    assert (
        "agreement “istanbul-talks-2025-06-02”: commitment “return-of-bodies-6000”: "
        "event “bodies-total-russia”: kind:"
    ) in str(refused.value)
    assert row_counts() == before


def test_an_unknown_party_is_named(db, tmp_path):
    data = demo_file_data()
    data["agreements"][0]["commitments"][0]["roles"]["mediator"] = ["atlantis"]

    with pytest.raises(CommandError, match="unknown party “atlantis”"):
        load_demo("--file", write(tmp_path, data))
    assert not Party.objects.exists()


def test_a_misspelt_field_is_named_rather_than_ignored(db, tmp_path):
    data = demo_file_data()
    data["agreements"][0]["commitments"][0]["readings"][0]["duration_dayz"] = 30

    with pytest.raises(CommandError, match="reading 1 .*unknown field “duration_dayz”"):
        load_demo("--file", write(tmp_path, data))


def test_a_source_not_listed_in_the_file_is_refused(db, tmp_path):
    data = demo_file_data()
    data["agreements"][0]["sources"] = ["https://example.org/unlisted"]

    with pytest.raises(CommandError, match="“https://example.org/unlisted” is not listed"):
        load_demo("--file", write(tmp_path, data))


def test_a_time_with_a_utc_offset_is_refused_because_the_zone_says_it(db, tmp_path):
    data = demo_file_data()
    data["agreements"][0]["commitments"][0]["readings"][0]["starts_at"] = "2025-03-18T00:00+03:00"

    with pytest.raises(CommandError, match="carries a UTC offset"):
        load_demo("--file", write(tmp_path, data))


def test_an_unknown_time_zone_is_refused(db, tmp_path):
    data = demo_file_data()
    data["agreements"][0]["commitments"][0]["readings"][0]["time_zone"] = "Europe/Moskva"

    with pytest.raises(CommandError, match="Europe/Moskva"):
        load_demo("--file", write(tmp_path, data))
    assert not Commitment.objects.exists()


def test_a_response_must_answer_an_earlier_event(db, tmp_path):
    data = demo_file_data()
    events = data["agreements"][0]["commitments"][0]["events"]
    events[0]["in_response_to"] = "sudzha-russia"

    with pytest.raises(CommandError, match="earlier event of the same commitment"):
        load_demo("--file", write(tmp_path, data))


def test_invalid_json_is_reported_with_its_line(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "parties": [\n    {"slug": "russia",,}\n  ]\n}\n', encoding="utf-8")

    with pytest.raises(CommandError, match="not valid JSON: .* line 3"):
        load_demo("--file", str(path))


def test_a_missing_file_is_reported(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.json"):
        load_demo("--file", str(tmp_path / "missing.json"))


def test_translations_load_beside_the_english_text(db):
    load_demo()

    russia = Party.objects.get(slug="russia")
    pause = Commitment.objects.get(slug="energy-strike-pause")
    assert (russia.name_en, russia.name_uk, russia.name_ru) == ("Russia", "Росія", "Россия")
    assert pause.title_uk == "Пауза в ударах по енергетичній інфраструктурі"
    assert pause.title_ru == "Пауза в ударах по энергетической инфраструктуре"


def test_a_translation_into_a_language_the_site_does_not_speak_is_refused(db, tmp_path):
    data = demo_file_data()
    data["parties"][0]["name_de"] = "Russland"

    with pytest.raises(CommandError, match="party “russia”: unknown field “name_de”"):
        load_demo("--file", write(tmp_path, data))


def test_a_translation_with_a_control_character_is_refused_and_named(db, tmp_path):
    data = demo_file_data()
    data["parties"][0]["name_uk"] = "Ро\x00сія"

    with pytest.raises(CommandError, match="party “russia”: name_uk: Remove the control"):
        load_demo("--file", write(tmp_path, data))
    assert not Party.objects.exists()
