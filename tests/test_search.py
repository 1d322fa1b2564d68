"""Search (``tracker.search`` through ``tracker.public.search``), on SQLite and PostgreSQL alike.

What is found: public records whose texts, in any of the three languages,
hold every word of the search as a word or a word's beginning. How it is
ranked: closer matches first. How the index stays right: the database's own
triggers, checked after every migrate.
"""

import datetime as dt

import pytest
from django.db import connection

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker import public, search, services
from tracker.models import ComplianceEvent
from tracker.search import index, postgresql
from tracker.search.documents import DOCUMENTS

pytestmark = pytest.mark.django_db

KINDS = ["commitment", "agreement", "event", "source", "reading", "party"]
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram similarity is PostgreSQL's"
)


def found(text: str, kinds=KINDS) -> list[tuple[str, int]]:
    results = public.search(search.read(text), kinds)
    return [(hit.kind, hit.pk) for hit in results.hits]


def titles(text: str, kinds=KINDS) -> list[str]:
    results = public.search(search.read(text), kinds)
    return [hit.texts[DOCUMENTS[hit.kind].title_columns[0]] for hit in results.hits]


@pytest.fixture
def energy_pause():
    return CommitmentFactory(
        title="Pause on strikes against energy infrastructure",
        title_uk="Пауза в ударах по енергетичній інфраструктурі",
        title_ru="Пауза в ударах по энергетической инфраструктуре",
    )


# Finding ------------------------------------------------------------------------------


@pytest.mark.parametrize("words", ["energ", "енергет", "энерг", "ENERGY", "Енергетичній"])
def test_the_beginning_of_a_word_in_any_language_finds_the_record(energy_pause, words):
    assert found(words) == [("commitment", energy_pause.pk)]


def test_a_record_is_found_by_a_language_it_has_only_one_text_in():
    agreement = AgreementFactory(title="Call of 18 March", summary_uk="Домовленість про енергетику")

    assert found("домовлен") == [("agreement", agreement.pk)]
    assert found("call 18") == [("agreement", agreement.pk)]


def test_every_word_must_be_found_in_one_language_or_another(energy_pause):
    assert found("пауза energy") == [("commitment", energy_pause.pk)]
    assert found("energy navigation") == []


def test_the_middle_of_a_word_finds_nothing():
    ComplianceEventFactory(summary="Strike on energy infrastructure", summary_uk="Удар по мережі")

    assert found("nergy", ["event"]) == []
    assert found("режі", ["event"]) == []


def test_a_word_of_one_letter_finds_itself_only():
    plan_b = ComplianceEventFactory(summary="Plan B for the exchange")
    ComplianceEventFactory(summary="Black Sea navigation")

    assert found("b", ["event"]) == [("event", plan_b.pk)]


def test_each_kind_of_record_is_found_by_its_texts():
    russia = PartyFactory(name="Russia", name_uk="Росія", slug="russia")
    commitment = CommitmentFactory(terms="No strikes on refineries")
    CommitmentFactory(agreement=commitment.agreement).roles.create(party=russia, role="obligor")
    event = ComplianceEventFactory(commitment=commitment, location="Near Sloviansk", region="UA-14")
    reading = ReadingFactory(commitment=commitment, label="Kremlin's count", wording="Thirty days")
    source = SourceFactory(title="Readout of the call", publisher="Reuters")
    event.sources.add(source)
    agreement = AgreementFactory(title="Talks", venue="Jeddah")

    assert found("refiner") == [("commitment", commitment.pk)]
    assert found("sloviansk") == [("event", event.pk)]
    assert found("kreml") == [("reading", reading.pk)]
    assert found("thirty") == [("reading", reading.pk)]
    assert found("reuters") == [("source", source.pk)]
    assert found("jeddah") == [("agreement", agreement.pk)]
    assert found("росі") == [("party", russia.pk)]


def test_only_the_kinds_asked_for_are_searched(energy_pause):
    ComplianceEventFactory(commitment=energy_pause, summary="Energy sites hit")

    assert [kind for kind, _pk in found("energy", ["event"])] == ["event"]


# Only what is public -------------------------------------------------------------------


def test_unpublished_records_are_not_found_until_published(reviewer):
    hidden_agreement = AgreementFactory(title="Draft talks on energy", is_published=False)
    hidden_commitment = CommitmentFactory(title="Draft energy pause", is_published=False)
    under_hidden = CommitmentFactory(agreement=hidden_agreement, title="Energy under a draft")
    hidden_event = ComplianceEventFactory(summary="Draft energy claim", is_published=False)
    uncited = SourceFactory(title="Energy report nobody cites")

    assert found("energy") == []

    for record in (hidden_agreement, hidden_commitment, hidden_event):
        services.publish(record, actor=reviewer, reason="Checked")

    assert set(found("energy")) == {
        ("agreement", hidden_agreement.pk),
        ("commitment", hidden_commitment.pk),
        ("commitment", under_hidden.pk),
        ("event", hidden_event.pk),
    }
    assert ("source", uncited.pk) not in found("energy")


def test_internal_notes_and_slugs_are_not_searched():
    CommitmentFactory(slug="secret-slug", internal_note="Secret note about the energy talks")

    assert found("secret") == []
    assert found("note") == []


def test_a_party_is_found_only_while_a_public_record_names_it():
    party = PartyFactory(name="Vatican", slug="vatican")

    assert found("vatican") == []

    ComplianceEventFactory(claimant=party, accused=None)

    assert found("vatican") == [("party", party.pk)]


# Ranking -------------------------------------------------------------------------------


def test_a_title_match_ranks_above_a_match_in_the_rest():
    in_terms = CommitmentFactory(title="Pause on strikes", terms="No strikes on energy sites")
    in_title = CommitmentFactory(title="Energy pause", terms="Neither side strikes")

    assert found("energy") == [("commitment", in_title.pk), ("commitment", in_terms.pk)]


def test_closer_matches_rank_first():
    CommitmentFactory(title="Energetic efforts at talks")
    CommitmentFactory(title="Energy pause")
    CommitmentFactory(title="Pause on energy strikes")
    CommitmentFactory(title="Energy talks and a pause")

    side_by_side, *apart = titles("energy pause")
    assert side_by_side == "Energy pause"
    assert set(apart) == {"Energy talks and a pause", "Pause on energy strikes"}
    *closer, further = titles("energ")
    assert further == "Energetic efforts at talks"
    assert len(closer) == 3


def test_a_claim_whose_summary_holds_the_word_ranks_with_titles_and_after_commitments():
    commitment = CommitmentFactory(title="Sloviansk pause")
    event = ComplianceEventFactory(commitment=commitment, summary="Strike on Sloviansk")
    other = CommitmentFactory(title="Black Sea", terms="Ships to Sloviansk")

    assert found("sloviansk", ["commitment", "event"]) == [
        ("commitment", commitment.pk),
        ("event", event.pk),
        ("commitment", other.pk),
    ]


def test_among_equal_matches_the_newest_comes_first():
    older = ComplianceEventFactory(summary="Strike on a substation")
    newer = ComplianceEventFactory(summary="Strike on a substation")

    assert found("substation") == [("event", newer.pk), ("event", older.pk)]


# Bounds ------------------------------------------------------------------------------


def test_when_more_match_than_are_ranked_the_newest_are_ranked_and_it_is_said(monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 3)
    monkeypatch.setattr(search, "FIRST_LOOK", 4)
    events = [ComplianceEventFactory(summary=f"Strike number {n}") for n in range(8)]

    results = public.search(search.read("strike"), ["event"])

    assert [hit.pk for hit in results.hits] == [e.pk for e in events[-1:-4:-1]]
    assert results.by_kind["event"].complete is False


def test_when_all_that_match_are_ranked_it_is_said_so(monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 3)
    monkeypatch.setattr(search, "FIRST_LOOK", 4)
    for n in range(3):
        ComplianceEventFactory(summary=f"Strike number {n}")

    assert public.search(search.read("strike"), ["event"]).complete is True


def test_a_list_narrowed_by_other_filters_is_searched_further_back(monkeypatch):
    """Few of the newest matches are in the narrowed list: the search looks further."""
    monkeypatch.setattr(search, "FIRST_LOOK", 2)
    quiet = CommitmentFactory()
    old = ComplianceEventFactory(commitment=quiet, summary="Strike on a substation")
    for _ in range(4):
        ComplianceEventFactory(summary="Strike on a substation")

    narrowed = public.events().filter(commitment=quiet)
    results = public.search(search.read("substation"), ["event"], narrowed=narrowed)

    assert [hit.pk for hit in results.hits] == [old.pk]
    assert results.complete is True


@pytest.mark.parametrize("spread", ["every other", "a few, old", "recent only", "none"])
def test_the_index_gives_the_newest_matches_whatever_the_walk_decides(monkeypatch, spread):
    """PostgreSQL walks the newest rows or asks the index, by how common the words look."""
    monkeypatch.setattr(postgresql, "WINDOW", 3)
    chosen = {
        "every other": lambda n: n % 2 == 0,
        "a few, old": lambda n: n in (1, 2, 15),
        "recent only": lambda n: n > 20,
        "none": lambda n: False,
    }[spread]
    matching = []
    for n in range(24):
        summary = f"Strike on a {'substation' if chosen(n) else 'bridge'} {n}"
        event = ComplianceEventFactory(summary=summary)
        if chosen(n):
            matching.append(event.pk)
    newest_first = sorted(matching, reverse=True)
    engine, document = index.backend(connection), DOCUMENTS["event"]

    with connection.cursor() as cursor:
        first = engine.newest(cursor, document, ("substat",), 4)
        rest = engine.newest(cursor, document, ("substat",), 100, before=first[-1]) if first else []

    assert first == newest_first[:4]
    assert rest == newest_first[4:]


# Drafts shape nothing -------------------------------------------------------------------


def drafts(commitment, count: int, summary: str) -> None:
    """Many unpublished claims at once, newer than anything public; the index sees every one."""
    ComplianceEvent.objects.bulk_create(
        ComplianceEvent(
            commitment=commitment,
            kind="alleged_violation",
            occurred_at=dt.datetime(2025, 3, 19, 2, tzinfo=dt.UTC),
            occurred_on=dt.date(2025, 3, 19),
            summary=f"{summary} {n}",
            is_published=False,
        )
        for n in range(count)
    )


@pytest.fixture
def small_looks(monkeypatch):
    """The walk's steps made small, so a few drafts stand for thousands."""
    monkeypatch.setattr(search, "FIRST_LOOK", 3)
    monkeypatch.setattr(search, "FURTHER_LOOK", 5)
    monkeypatch.setattr(postgresql, "WINDOW", 4)


def test_drafts_newer_than_the_public_matches_cannot_push_them_out(small_looks):
    public_claims = [ComplianceEventFactory(summary=f"Strike on a substation {n}") for n in (1, 2)]
    drafts(public_claims[0].commitment, 30, "Strike on a bridge")

    results = public.search(search.read("strike"), ["event"])

    assert sorted(hit.pk for hit in results.hits) == sorted(c.pk for c in public_claims)
    assert results.complete is True


def test_words_found_only_in_drafts_are_not_counted_as_more_matches(small_looks):
    ComplianceEventFactory(summary="Strike on a substation")
    drafts(CommitmentFactory(), 30, "Zeppelin over the substation")

    results = public.search(search.read("zeppelin"), ["event"])

    assert results.hits == []
    assert results.complete is True


def test_an_api_list_narrowed_by_its_filters_is_not_pushed_out_by_drafts(small_looks):
    quiet = CommitmentFactory()
    kept = ComplianceEventFactory(commitment=quiet, summary="Strike on a substation")
    drafts(quiet, 30, "Strike on a substation, unconfirmed")

    narrowed = public.events().filter(commitment=quiet)
    results = public.search(search.read("substation"), ["event"], narrowed=narrowed)

    assert [hit.pk for hit in results.hits] == [kept.pk]
    assert results.complete is True


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="at scale, on PostgreSQL")
def test_twenty_thousand_drafts_neither_push_out_nor_reveal_anything(client):
    public_claims = [ComplianceEventFactory(summary=f"Strike on a substation {n}") for n in (1, 2)]
    drafts(public_claims[0].commitment, 10_000, "Strike on a bridge")
    drafts(public_claims[0].commitment, 10_000, "Zeppelin strike on a bridge")

    strike = public.search(search.read("strike"), ["event"])
    zeppelin = public.search(search.read("zeppelin"), ["event"])
    page = client.get("/search/", {"q": "strike"}).content.decode()
    probe = client.get("/search/", {"q": "zeppelin"}).content.decode()

    assert sorted(hit.pk for hit in strike.hits) == sorted(c.pk for c in public_claims)
    assert strike.complete is True
    assert (zeppelin.hits, zeppelin.complete) == ([], True)
    assert "Claims (2)" in page
    for html in (page, probe):
        assert "More records hold these words" not in html
        assert "bridge" not in html.lower()


# Keeping the index right ---------------------------------------------------------------


def test_a_change_of_text_is_found_at_once_and_the_old_text_no_longer(energy_pause):
    energy_pause.title_en = "Maritime ceasefire"
    energy_pause.title_uk = ""
    energy_pause.save()

    assert found("maritime") == [("commitment", energy_pause.pk)]
    assert found("пауза") == [("commitment", energy_pause.pk)]  # the Russian title is kept
    assert found("енергет") == []


def test_a_deleted_record_is_no_longer_found():
    event = ComplianceEventFactory(summary="Strike on a substation")
    ComplianceEvent.objects.filter(pk=event.pk).delete()

    assert found("substation") == []


def test_an_index_whose_triggers_were_lost_is_built_again_after_migrate(energy_pause):
    """SQLite drops a table's triggers when a migration rebuilds the table."""
    document = DOCUMENTS["commitment"]
    with connection.cursor() as cursor:
        index.backend(connection).drop(cursor, document)
    energy_pause.title_en = "Maritime ceasefire"
    energy_pause.save()

    assert index.ensure() == ["commitment"]
    assert found("maritime") == [("commitment", energy_pause.pk)]
    assert index.ensure() == []


def test_every_index_is_as_described_after_migrating():
    with connection.cursor() as cursor:
        engine = index.backend(connection)
        assert all(engine.is_current(cursor, document) for document in DOCUMENTS.values())


# PostgreSQL's trigram matching --------------------------------------------------------


@ON_POSTGRESQL
def test_a_name_spelt_a_little_differently_is_found_after_exact_matches():
    zaporizhzhia = CommitmentFactory(title="Safety of the Zaporizhzhia nuclear plant")
    exact = CommitmentFactory(title="Zaporizhia talks")

    assert found("zaporizhia") == [
        ("commitment", exact.pk),
        ("commitment", zaporizhzhia.pk),
    ]


@ON_POSTGRESQL
def test_a_misspelt_party_name_finds_the_party():
    russia = PartyFactory(name="Russia", slug="russia")
    ComplianceEventFactory(claimant=russia, accused=None)

    assert found("rusia", ["party"]) == [("party", russia.pk)]
