"""The open data says each instant as it was given: the day, its precision and its zone.

A day-precision instant is kept as the start of its day on its source's
clock, so the exchange of 19 March, given on a Kyiv clock, is
``2025-03-18T22:00:00Z``: a spreadsheet reading that cell sees the 18th. The
files and the API keep that UTC instant, for compatibility, and give beside
it the day the pages show (``occurred_on``: 2025-03-19), with the precision
and the zone. A file downloaded from /data/events.csv imports back with the
same days.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase

from tests.factories import CommitmentFactory, ComplianceEventFactory, PartyFactory
from tests.intake_support import claim_row, claims_csv
from tracker import clock
from tracker.models import ComplianceEvent

UTC = dt.UTC
SUMMER_2025 = dt.datetime(2025, 7, 1, 12, tzinfo=UTC)
APRIL_2025 = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def by_commitment(rows: list[dict], slug: str) -> list[dict]:
    return [row for row in rows if row["commitment"] == slug]


class TestTheDemoDataAsItWasGiven(TestCase):
    """The demo data, loaded as in the summer of 2025, read from the files and the API."""

    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(SUMMER_2025, tick=False):
            call_command("load_demo", stdout=io.StringIO())

    def get(self, url: str):
        with time_machine.travel(SUMMER_2025, tick=False):
            return self.client.get(url)

    # The prisoner exchange of 19 March ---------------------------------------------------

    def test_the_exchange_of_19_march_is_dated_19_march_in_events_csv(self):
        [exchange] = by_commitment(csv_rows(self.get("/data/events.csv")), "exchange-2025-03-19")

        assert exchange["occurred_at"] == "2025-03-18T22:00:00Z"  # midnight in Kyiv, kept
        assert exchange["occurred_on"] == "2025-03-19"
        assert exchange["precision"] == "day"

    def test_the_exchange_of_19_march_is_dated_19_march_in_the_api(self):
        response = self.get("/api/events/?commitment=exchange-2025-03-19")
        [exchange] = response.json()["results"]

        assert exchange["occurred_at"] == "2025-03-18T22:00:00Z"
        assert exchange["occurred_on"] == "2025-03-19"
        assert exchange["occurred_until_on"] is None
        assert exchange["precision"] == "day"

    def test_the_exchange_was_fulfilled_on_19_march_in_commitments_csv(self):
        rows = csv_rows(self.get("/data/commitments.csv"))
        [exchange] = by_commitment(
            [dict(row, commitment=row["slug"]) for row in rows], "exchange-2025-03-19"
        )

        assert exchange["status"] == "fulfilled"
        assert exchange["status_changed_at"] == "2025-03-18T22:00:00Z"
        assert exchange["status_changed_on"] == "2025-03-19"
        assert exchange["status_changed_precision"] == "day"
        assert exchange["status_changed_zone"] == "Europe/Kyiv"
        assert exchange["working_due_on"] == "2025-03-19"
        assert exchange["working_precision"] == "day"
        assert exchange["working_time_zone"] == "Europe/Moscow"

    def test_the_exchanges_status_history_in_the_api_says_the_days_the_page_says(self):
        commitment = self.get("/api/commitments/exchange-2025-03-19/").json()

        assert commitment["status_changed_on"] == "2025-03-19"
        assert commitment["status_changed_precision"] == "day"
        assert commitment["status_changed_zone"] == "Europe/Kyiv"
        assert commitment["working_window"]["due_on"] == "2025-03-19"
        assert [
            (change["effective_on"], change["precision"], change["time_zone"])
            for change in commitment["status_history"]
        ] == [("2025-03-18", "day", "Europe/Moscow"), ("2025-03-19", "day", "Europe/Kyiv")]

    # The energy pause ---------------------------------------------------------------------

    def test_the_energy_pause_runs_18_march_to_17_april_in_commitments_csv(self):
        rows = csv_rows(self.get("/data/commitments.csv"))
        [pause] = [row for row in rows if row["slug"] == "energy-strike-pause"]

        assert pause["working_starts_at"] == "2025-03-17T21:00:00Z"  # midnight in Moscow
        assert pause["working_starts_on"] == "2025-03-18"
        assert pause["working_ends_on"] == "2025-04-17"
        assert pause["working_due_on"] == ""
        assert pause["status"] == "expired"
        assert pause["status_changed_on"] == "2025-04-17"
        assert pause["status_changed_precision"] == "day"

    def test_the_kremlins_count_starts_on_18_march_in_readings_csv(self):
        rows = by_commitment(csv_rows(self.get("/data/readings.csv")), "energy-strike-pause")
        [kremlin] = [row for row in rows if row["label"] == "Kremlin's count"]

        assert (kremlin["starts_on"], kremlin["ends_on"]) == ("2025-03-18", "2025-04-17")
        assert (kremlin["precision"], kremlin["time_zone"]) == ("day", "Europe/Moscow")

    def test_an_hour_precision_claim_keeps_its_hour_and_its_utc_date(self):
        response = self.get("/api/events/?commitment=energy-strike-pause")
        [night] = [e for e in response.json()["results"] if e["precision"] == "hour"]

        assert night["occurred_at"] == "2025-03-18T19:00:00Z"  # 21:00 in Kyiv
        assert night["occurred_on"] == "2025-03-18"

    def test_the_data_package_describes_every_day_column_as_a_date(self):
        package = self.get("/data/datapackage.json").json()
        fields = {
            (resource["name"], field["name"]): field
            for resource in package["resources"]
            for field in resource["schema"]["fields"]
        }

        for name in (
            ("events", "occurred_on"),
            ("events", "occurred_until_on"),
            ("commitments", "status_changed_on"),
            ("commitments", "working_ends_on"),
            ("readings", "starts_on"),
        ):
            assert fields[name]["type"] == "date", name
            assert fields[name]["hxl"].startswith("#date+"), name
        assert fields["commitments", "status_changed_precision"]["constraints"]["enum"] == [
            "day",
            "hour",
            "minute",
        ]
        assert "occurred_at" in fields["events", "occurred_on"]["description"]
        assert fields["commitments", "working_ends_on"]["hxl"] == "#date+end+local"


# A claim known to the minute ------------------------------------------------------------


@pytest.fixture
def parties(db):
    return PartyFactory(slug="russia", name="Russia"), PartyFactory(slug="ukraine", name="Ukraine")


@pytest.fixture
def pause(parties):
    return CommitmentFactory(slug="energy-pause", title="Energy pause")


def test_a_minute_precision_claim_keeps_its_minute_in_the_file_and_the_api(client, pause):
    # 23:30 UTC is already the 21st in Kyiv: a minute is dated in UTC, the zone it is kept in.
    ComplianceEventFactory(
        commitment=pause,
        occurred_at=dt.datetime(2025, 3, 20, 23, 30, tzinfo=UTC),
        precision="minute",
    )

    [row] = csv_rows(client.get("/data/events.csv"))
    [event] = client.get("/api/events/").json()["results"]

    assert (row["occurred_at"], row["occurred_on"], row["precision"]) == (
        "2025-03-20T23:30:00Z",
        "2025-03-20",
        "minute",
    )
    assert (event["occurred_at"], event["occurred_on"], event["precision"]) == (
        "2025-03-20T23:30:00Z",
        "2025-03-20",
        "minute",
    )


# A downloaded file imports back -------------------------------------------------------------


def run_import(tmp_path, data: bytes, name: str = "events.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    try:
        call_command("import_events", str(path), "--user", "editor", stdout=out)
    except CommandError as refused:
        out.write(f"\n{refused}")
    return out.getvalue()


@pytest.fixture
def frozen_in_april():
    with time_machine.travel(APRIL_2025, tick=False):
        yield


def test_a_downloaded_events_file_imports_back_on_the_same_days(
    client, tmp_path, editor, pause, frozen_in_april
):
    kyiv_midnight = clock.local_to_utc(dt.date(2025, 3, 19), "Europe/Kyiv", "day")
    ComplianceEventFactory(commitment=pause, occurred_at=kyiv_midnight, precision="day")
    late = dt.datetime(2025, 3, 20, 23, 30, tzinfo=UTC)
    ComplianceEventFactory(commitment=pause, occurred_at=late, precision="minute")
    exported = b"".join(client.get("/data/events.csv").streaming_content).decode()
    days = sorted(
        (e.occurred_at, e.precision, e.occurred_on) for e in ComplianceEvent.objects.all()
    )
    assert "occurred_on" in exported.splitlines()[0]

    ComplianceEvent.objects.all().delete()
    rows = list(csv.DictReader(io.StringIO(exported)))
    for row in rows:
        row["id"] = ""
    out = run_import(tmp_path, claims_csv(*rows, columns=list(rows[0])))

    assert "2 rows: 2 new, 0 already there, 0 refused" in out, out
    assert (
        sorted((e.occurred_at, e.precision, e.occurred_on) for e in ComplianceEvent.objects.all())
        == days
    )
    assert [str(e.occurred_on) for e in ComplianceEvent.objects.order_by("occurred_at")] == [
        "2025-03-19",
        "2025-03-20",
    ]


def test_a_file_that_gives_only_the_day_records_that_day(tmp_path, editor, pause, frozen_in_april):
    row = claim_row(occurred_at="", occurred_on="2025-03-19", precision="day")

    out = run_import(tmp_path, claims_csv(row))

    assert "1 rows: 1 new" in out or "1 row: 1 new" in out, out
    [event] = ComplianceEvent.objects.all()
    assert (event.occurred_on, event.precision) == (dt.date(2025, 3, 19), "day")


def test_a_day_that_disagrees_with_its_instant_is_refused_by_its_column(
    tmp_path, editor, pause, frozen_in_april
):
    # Someone changed the day in a spreadsheet and not the instant.
    row = claim_row(occurred_at="2025-03-18T21:00:00Z", occurred_on="2025-03-20", precision="day")

    out = run_import(tmp_path, claims_csv(row))

    assert "occurred_on says 2025-03-20, but occurred_at falls on 2025-03-19" in out, out
    assert not ComplianceEvent.objects.exists()


def test_a_file_from_before_the_days_were_added_still_imports(
    tmp_path, editor, pause, frozen_in_april
):
    columns = [c for c in claim_row() if c not in ("occurred_on", "occurred_until_on")]

    out = run_import(tmp_path, claims_csv(claim_row(), columns=columns))

    assert " 1 new" in out, out
    assert ComplianceEvent.objects.count() == 1
