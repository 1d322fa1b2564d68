"""The records' texts in three languages, and their history (``tracker.translation``)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from tests.factories import AgreementFactory, CommitmentFactory, PartyFactory
from tracker import services
from tracker.models import Commitment, Party
from tracker.translation import TRANSLATED

LANGUAGES = ("en", "uk", "ru")


def texts_of(model) -> tuple[str, ...]:
    return TRANSLATED[model].fields


@pytest.mark.parametrize("model", list(TRANSLATED), ids=lambda m: m.__name__)
def test_every_translated_text_has_a_column_per_language_in_the_record_and_its_history(model):
    history_columns = {f.name for f in model.history.model._meta.fields}
    record_columns = {f.name for f in model._meta.fields}
    for text in texts_of(model):
        for language in LANGUAGES:
            assert f"{text}_{language}" in record_columns
            assert f"{text}_{language}" in history_columns


def test_a_translation_edit_leaves_a_history_row_with_the_new_text_the_user_and_the_reason(
    db, reviewer
):
    pause = CommitmentFactory(title="Pause on strikes against energy infrastructure")
    pause.title_uk = "Пауза в ударах по енергетичній інфраструктурі"

    services.save_record(pause, actor=reviewer, reason="Ukrainian title, after Ukrinform")

    row = Commitment.objects.get(pk=pause.pk).history.first()
    assert row.title_uk == "Пауза в ударах по енергетичній інфраструктурі"
    assert row.title_ru is None
    assert row.title_en == "Pause on strikes against energy infrastructure"
    assert row.history_user == reviewer
    assert row.history_change_reason == "Ukrainian title, after Ukrinform"
    changed = [change.field for change in row.diff_against(row.prev_record).changes]
    assert changed == ["title_uk"]


def test_the_plain_column_and_its_history_keep_the_english_text_whatever_language_is_active(
    db, editor
):
    translation.activate("uk")
    pause = services.create_commitment(
        actor=editor,
        reason="Kremlin readout",
        agreement=AgreementFactory(),
        slug="energy-pause",
        category="energy",
        shape="window",
        title="Pause on energy strikes",
        title_uk="Пауза в ударах по енергетиці",
    )

    stored = Commitment.objects.filter(pk=pause.pk).values("title_en", "title_uk").get()
    plain = Commitment.objects.rewrite(False).filter(pk=pause.pk).values_list("title", flat=True)
    assert stored == {
        "title_en": "Pause on energy strikes",
        "title_uk": "Пауза в ударах по енергетиці",
    }
    assert list(plain) == ["Pause on energy strikes"]
    assert pause.history.get().title == "Pause on energy strikes"
    assert Commitment.objects.get(pk=pause.pk).title == "Пауза в ударах по енергетиці"


def test_the_history_keeps_many_versions_of_a_unique_name(db, editor):
    """Names are unique among parties, never among the versions of one party."""
    russia = PartyFactory(name="Russia", slug="russia")
    for reason in ("Ukrainian name", "Same name, new short name"):
        russia.name_uk = "Росія"
        russia.short_name_uk = "РФ" if reason.startswith("Same") else ""
        services.save_record(russia, actor=editor, reason=reason)

    assert [row.name_uk for row in Party.history.filter(id=russia.pk)] == ["Росія", "Росія", None]


def test_an_untranslated_party_name_is_stored_empty_not_as_a_second_empty_name(db, editor):
    for name, slug in (("Russia", "russia"), ("Ukraine", "ukraine")):
        services.save_record(Party(name=name, slug=slug), actor=editor, reason="New")

    assert list(Party.objects.values_list("name_uk", flat=True)) == [None, None]


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_every_existing_text_into_english_in_records_and_history():
    before = [("tracker", "0010_event_possible_duplicate")]
    after = [("tracker", "0011_texts_in_three_languages")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    party = old.get_model("tracker", "Party").objects.create(
        name="Türkiye", short_name="TR", slug="turkiye", time_zone="Europe/Istanbul"
    )
    old.get_model("tracker", "HistoricalParty").objects.create(
        id=party.pk,
        name="Turkey",
        short_name="TR",
        slug="turkiye",
        kind="state",
        time_zone="Europe/Istanbul",
        history_date="2025-03-18T12:00Z",
        history_type="+",
        history_change_reason="First recorded",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps

    migrated = new.get_model("tracker", "Party").objects.get()
    assert (migrated.name_en, migrated.short_name_en, migrated.name_uk) == ("Türkiye", "TR", None)
    history = new.get_model("tracker", "HistoricalParty").objects.get()
    assert (history.name, history.name_en, history.history_change_reason) == (
        "Turkey",
        "Turkey",
        "First recorded",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
