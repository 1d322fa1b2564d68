"""CSV open data: three streamed files with documented columns."""

import csv
import datetime as dt
import io

import pytest

from tests.factories import (
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker.models import CommitmentParty, DeliveredQuantity
from tracker.opendata import files

UTC = dt.UTC


def rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def exchange(db):
    russia = PartyFactory(name="Russia", slug="russia")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    commitment = CommitmentFactory(
        slug="exchange-1000",
        title="Exchange of 1,000 for 1,000",
        category="prisoners",
        shape="deliverable",
        promised_quantity=1000,
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(commitment=commitment, party=ukraine)
    CommitmentPartyFactory(
        commitment=commitment,
        party=PartyFactory(name="Türkiye", slug="turkiye"),
        role=CommitmentParty.Role.MEDIATOR,
    )
    ReadingFactory(
        commitment=commitment,
        starts_at=None,
        ends_at=None,
        due_at=dt.datetime(2025, 5, 25, tzinfo=UTC),
    )
    return commitment


def test_every_file_starts_with_its_documented_columns(client, db):
    for table in files.TABLES.values():
        response = client.get(f"/data/{table.filename}")

        header = next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert header == [column.name for column in table.columns]
        assert response["Content-Disposition"] == f'attachment; filename="{table.filename}"'


def test_the_data_page_documents_every_column(client, db):
    page = client.get("/data/").content.decode()

    for table in files.TABLES.values():
        assert f'href="/data/{table.filename}"' in page
        for column in table.columns:
            assert f"<code>{column.name}</code>" in page


def test_commitments_file_has_parties_by_role_and_the_working_deadline(client, exchange):
    [row] = rows(client.get("/data/commitments.csv"))

    assert row["slug"] == "exchange-1000"
    assert row["title"] == "Exchange of 1,000 for 1,000"
    assert row["obligors"] == "russia; ukraine"
    assert row["mediators"] == "turkiye"
    assert row["working_due_at"] == "2025-05-25T00:00:00Z"
    assert row["working_ends_at"] == ""
    assert row["promised_quantity"] == "1000"


def test_events_file_joins_sources_and_quantities_by_side(client, exchange):
    russia, ukraine = PartyFactory(slug="russia"), PartyFactory(slug="ukraine")
    tranche = ComplianceEventFactory(
        commitment=exchange,
        kind="delivery",
        claimant=ukraine,
        accused=None,
        occurred_at=dt.datetime(2025, 5, 23, 12, tzinfo=UTC),
        summary="First tranche: 390 for 390",
    )
    tranche.sources.add(
        SourceFactory(url="https://example.org/a"), SourceFactory(url="https://example.org/b")
    )
    DeliveredQuantity.objects.create(event=tranche, received_by=ukraine, quantity=390)
    DeliveredQuantity.objects.create(event=tranche, received_by=russia, quantity=390)

    [row] = rows(client.get("/data/events.csv"))

    assert row["commitment"] == "exchange-1000"
    assert row["kind"] == "delivery"
    assert row["occurred_at"] == "2025-05-23T12:00:00Z"
    assert row["accused"] == ""
    assert row["summary"] == "First tranche: 390 for 390"
    assert row["source_urls"] == "https://example.org/a; https://example.org/b"
    assert row["quantities"] == "russia: 390 people; ukraine: 390 people"


def test_readings_file_keeps_the_wording_and_its_time_zone(client, db):
    commitment = CommitmentFactory(slug="energy-pause")
    reading = ReadingFactory(
        commitment=commitment,
        label="Ukraine's count",
        wording="30 days from 25 March, Kyiv time",
        time_zone="Europe/Kyiv",
        ends_at=dt.datetime(2025, 4, 23, 21, tzinfo=UTC),
    )
    reading.sources.add(SourceFactory(url="https://example.org/kyiv"))

    [row] = rows(client.get("/data/readings.csv"))

    assert row["label"] == "Ukraine's count"
    assert row["is_working"] == "true"
    assert row["wording"] == "30 days from 25 March, Kyiv time"
    assert row["time_zone"] == "Europe/Kyiv"
    assert row["ends_at"] == "2025-04-23T21:00:00Z"
    assert row["source_urls"] == "https://example.org/kyiv"


def test_unpublished_records_are_left_out(client, exchange):
    CommitmentFactory(slug="draft", is_published=False)
    ReadingFactory(commitment=exchange, is_working=False, label="Draft", is_published=False)
    ComplianceEventFactory(commitment=exchange, is_published=False)

    assert [r["slug"] for r in rows(client.get("/data/commitments.csv"))] == ["exchange-1000"]
    assert [r["label"] for r in rows(client.get("/data/readings.csv"))] == ["Working reading"]
    assert rows(client.get("/data/events.csv")) == []


def make_rows(n: int) -> None:
    """n commitments, each with a party, a reading and an event, all with sources."""
    for _ in range(n):
        commitment = CommitmentFactory()
        CommitmentPartyFactory(commitment=commitment)
        ReadingFactory(commitment=commitment).sources.add(SourceFactory())
        event = ComplianceEventFactory(commitment=commitment)
        event.sources.add(SourceFactory())
        DeliveredQuantity.objects.create(event=event, received_by=event.claimant, quantity=1)


@pytest.mark.parametrize("filename", ["commitments.csv", "readings.csv", "events.csv"])
def test_a_file_costs_a_fixed_number_of_queries_per_chunk_not_per_row(
    client, db, django_assert_max_num_queries, monkeypatch, filename
):
    monkeypatch.setattr(files, "CHUNK_SIZE", 10)
    make_rows(5)
    with django_assert_max_num_queries(10) as one_chunk:
        assert len(rows(client.get(f"/data/{filename}"))) == 5

    make_rows(20)

    # 25 rows are three chunks of 10: never a query per row.
    with django_assert_max_num_queries(3 * len(one_chunk.captured_queries)):
        assert len(rows(client.get(f"/data/{filename}"))) == 25


def test_files_answer_conditional_gets_with_304(client, exchange):
    first = client.get("/data/commitments.csv")

    again = client.get("/data/commitments.csv", HTTP_IF_NONE_MATCH=first["ETag"])

    assert "public" in first["Cache-Control"]
    assert again.status_code == 304


@pytest.mark.parametrize(
    "summary",
    [
        '=HYPERLINK("http://evil.example/","Read more")',
        "+1 drone strike",
        "-12 incidents",
        "@SUM(A1:A9)",
        "\tindented",
        "\rreturned",
    ],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(client, db, summary):
    ComplianceEventFactory(summary=summary)

    [row] = rows(client.get("/data/events.csv"))
    api = client.get("/api/events/").json()

    assert row["summary"] == "'" + summary
    assert api["results"][0]["summary"] == summary


def test_ordinary_cells_are_left_as_they_are(client, db):
    ComplianceEventFactory(summary="Strike on a substation; 3 = three drones", count=3)

    [row] = rows(client.get("/data/events.csv"))

    assert row["summary"] == "Strike on a substation; 3 = three drones"
    assert row["count"] == "3"
    assert row["occurred_at"] == "2025-03-19T02:00:00Z"


def test_the_open_data_page_says_how_formula_cells_are_neutralised(client, db):
    page = client.get("/data/").text

    assert "single quote" in page


FIRST_COLUMNS = {
    "commitments": ["slug", "title", "agreement"],
    "readings": ["id", "commitment", "label"],
    "events": ["id", "commitment", "kind"],
}


@pytest.mark.parametrize("language", ["en", "uk", "ru"])
def test_the_files_are_the_same_in_every_language_with_the_translations_beside(
    client, exchange, language
):
    exchange.title_uk = "Обмін 1000 на 1000"
    exchange.save()
    reading = exchange.readings.get()
    reading.label_ru = "Рабочее толкование"
    reading.wording = "до 25 мая"
    reading.wording_language = "ru"
    reading.save()
    event = ComplianceEventFactory(commitment=exchange, kind="delivery", summary="390 returned")
    DeliveredQuantity.objects.create(
        event=event,
        received_by=exchange.roles.get(party__slug="russia").party,
        quantity=390,
        unit="people",
    )

    ask = {"HTTP_ACCEPT_LANGUAGE": language}
    commitment = rows(client.get("/data/commitments.csv", **ask))[0]
    reading_row = rows(client.get("/data/readings.csv", **ask))[0]
    event_row = rows(client.get("/data/events.csv", **ask))[0]

    assert (commitment["title"], commitment["title_uk"], commitment["title_ru"]) == (
        "Exchange of 1,000 for 1,000",
        "Обмін 1000 на 1000",
        "",
    )
    assert (reading_row["label"], reading_row["label_ru"], reading_row["label_uk"]) == (
        "Working reading",
        "Рабочее толкование",
        "",
    )
    assert (reading_row["wording"], reading_row["wording_language"]) == ("до 25 мая", "ru")
    assert (event_row["summary"], event_row["summary_uk"]) == ("390 returned", "")
    assert event_row["quantities"] == "russia: 390 people"


# Columns added to a file after its translations were, which therefore follow them.
ADDED_AFTER_TRANSLATIONS = {
    "commitments": [
        "id",
        "status_changed_on",
        "status_changed_precision",
        "status_changed_zone",
        "working_starts_on",
        "working_ends_on",
        "working_due_on",
        "working_precision",
        "working_time_zone",
    ],
    "readings": ["starts_on", "ends_on", "due_on"],
    "events": ["occurred_on", "occurred_until_on"],
}


def test_the_translation_columns_come_after_the_columns_the_files_always_had(client, db):
    for name, later in ADDED_AFTER_TRANSLATIONS.items():
        header = files.TABLES[name].header()
        assert header[:3] == FIRST_COLUMNS[name]
        translations = [column for column in header if column.endswith(("_uk", "_ru"))]
        assert translations
        assert header[len(header) - len(later) - len(translations) :] == [*translations, *later]
