"""manage.py import_events: a file of claims recorded through the services, all or nothing."""

import datetime as dt
import hashlib
import io
import json

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command

from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    SourceFactory,
)
from tests.intake_support import claim_row, claims_csv
from tracker.models import ComplianceEvent, DeliveredQuantity, Source
from tracker.models.validators import CONTROL_CHARACTERS, REQUIRED
from tracker.staff.intake.reading import COLUMNS

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def parties(db):
    return PartyFactory(slug="russia", name="Russia"), PartyFactory(slug="ukraine", name="Ukraine")


@pytest.fixture
def pause(parties):
    return CommitmentFactory(slug="energy-pause", title="Energy pause")


def run(path, *arguments, user="editor"):
    """Run the command; what it printed, and the error it ended with (or None)."""
    out, err = io.StringIO(), io.StringIO()
    options = ["--user", user] if user else []
    try:
        call_command("import_events", str(path), *options, *arguments, stdout=out, stderr=err)
        error = None
    except CommandError as exc:
        error = str(exc)
    return out.getvalue(), err.getvalue(), error


def write(tmp_path, data: bytes, name="claims.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# The happy path --------------------------------------------------------------------


def test_an_exported_events_file_imports_back_as_the_same_claims(client, tmp_path, editor, parties):
    russia, ukraine = parties
    exchange = CommitmentFactory(slug="exchange-175", shape="deliverable", category="prisoners")
    strike = ComplianceEventFactory(
        commitment=CommitmentFactory(slug="energy-pause"),
        claimant=ukraine,
        accused=russia,
        occurred_at=dt.datetime(2025, 3, 19, 1, tzinfo=UTC),
        occurred_until=dt.datetime(2025, 3, 19, 5, tzinfo=UTC),
        precision="hour",
        location="Sloviansk",
        region="UA-14",
        count=3,
        summary="-3 degrees and no power: drones hit the grid",
        summary_uk="-3 градуси і без світла: дрони влучили в мережу",
        location_ru="Славянск",
    )
    strike.sources.add(SourceFactory(url="https://news.example.org/sloviansk"))
    delivery = ComplianceEventFactory(
        commitment=exchange,
        kind="delivery",
        claimant=ukraine,
        accused=None,
        occurred_at=dt.datetime(2025, 3, 19, 10, tzinfo=UTC),
        summary="175 for 175",
    )
    DeliveredQuantity.objects.create(event=delivery, received_by=ukraine, quantity=175)
    DeliveredQuantity.objects.create(event=delivery, received_by=russia, quantity=175, unit="POWs")
    exported = b"".join(client.get("/data/events.csv").streaming_content)

    def claim_of(event):
        return (
            event.commitment.slug, event.kind, event.claimant_id, event.accused_id,
            event.occurred_at, event.occurred_until, event.precision, event.location,
            event.region, event.count, event.summary,
            event.summary_uk, event.summary_ru, event.location_ru,
            sorted((q.received_by_id, q.quantity, q.unit) for q in event.quantities.all()),
            sorted(s.url for s in event.sources.all()),
        )  # fmt: skip

    originals = sorted(claim_of(e) for e in ComplianceEvent.objects.all())

    out, _err, error = run(write(tmp_path, exported, "events.csv"))
    assert error is None
    assert "2 rows: 0 new, 2 already there, 0 refused" in out
    assert ComplianceEvent.objects.count() == 2

    ComplianceEvent.objects.all().delete()
    text = exported.decode().splitlines()
    without_ids = "\n".join([text[0], *(line[line.index(",") :] for line in text[1:])])
    out, _err, error = run(write(tmp_path, without_ids.encode(), "events-new.csv"))

    assert error is None, out
    assert "2 rows: 2 new, 0 already there, 0 refused" in out
    assert sorted(claim_of(e) for e in ComplianceEvent.objects.all()) == originals


def test_imported_claims_are_the_importers_unpublished_and_unverified_with_the_file_named(
    tmp_path, reviewer, pause
):
    path = write(
        tmp_path,
        claims_csv(claim_row(verification="verified", recorded_at="2020-01-01T00:00:00Z")),
        "ministry-2025-04-02.csv",
    )

    out, _err, error = run(path, user="reviewer")

    assert error is None
    event = ComplianceEvent.objects.get()
    assert (event.is_published, event.verification, event.recorded_by) == (
        False,
        "unverified",
        reviewer,
    )
    assert event.recorded_at == NOW
    for history in event.history.all():
        assert history.history_user == reviewer
        assert history.history_change_reason == "Imported from ministry-2025-04-02.csv"
    source = Source.objects.get(url="https://mod.example.org/daily/2025-04-02")
    assert source.history.get().history_change_reason == "Imported from ministry-2025-04-02.csv"
    assert "Recorded 1 new claims by reviewer, unpublished and unverified" in out


def test_the_importing_user_is_the_account_named_like_the_login(
    tmp_path, editor, pause, monkeypatch
):
    monkeypatch.setenv("USER", "editor")

    _out, _err, error = run(write(tmp_path, claims_csv(claim_row())), user=None)

    assert error is None
    assert ComplianceEvent.objects.get().recorded_by == editor


def test_without_an_account_of_that_name_it_says_to_name_one(tmp_path, pause, monkeypatch):
    monkeypatch.setenv("USER", "deploy")

    _out, _err, error = run(write(tmp_path, claims_csv(claim_row())), user=None)

    assert error == (
        "There is no active staff account “deploy” (named like your login; say who with --user)."
    )


def test_a_user_in_neither_role_cannot_import(tmp_path, outsider, pause):
    _out, _err, error = run(write(tmp_path, claims_csv(claim_row())), user="outsider")

    assert error == "outsider may not import claims: only editors and reviewers may."
    assert not ComplianceEvent.objects.exists()


def test_a_dry_run_says_what_would_happen_and_writes_nothing(tmp_path, editor, pause):
    out, _err, error = run(
        write(tmp_path, claims_csv(claim_row(), claim_row(summary="Other"))), "--dry-run"
    )

    assert error is None
    assert "2 rows: 2 new" in out
    assert "Dry run: nothing was written." in out
    assert not ComplianceEvent.objects.exists()
    assert not Source.objects.exists()


def test_xlsx_and_json_files_import_like_csv(tmp_path, editor, pause):
    workbook = openpyxl.Workbook()
    workbook.active.append(list(COLUMNS))
    workbook.active.append([claim_row(summary="From a workbook", count="4")[c] for c in COLUMNS])
    workbook.active["L2"] = 4  # a number cell, as a spreadsheet keeps counts
    xlsx = tmp_path / "claims.xlsx"
    workbook.save(xlsx)
    as_json = json.dumps([claim_row(summary="From JSON", count=2, id=None)]).encode()

    assert run(xlsx)[2] is None
    assert run(write(tmp_path, as_json, "claims.json"))[2] is None

    assert sorted(ComplianceEvent.objects.values_list("summary", "count")) == [
        ("From JSON", 2),
        ("From a workbook", 4),
    ]


# Bad input: a clear, line-numbered message and nothing written -------------------------


def refused(tmp_path, data: bytes, name="claims.csv", *arguments) -> str:
    out, _err, error = run(write(tmp_path, data, name), *arguments)
    assert error == "Some rows were refused."
    assert not ComplianceEvent.objects.exists(), "nothing is written"
    assert not Source.objects.exists(), "nothing is written"
    return out


def test_one_bad_row_refuses_the_whole_file(tmp_path, editor, pause):
    out = refused(tmp_path, claims_csv(claim_row(), claim_row(count="-3"), claim_row(summary="x")))

    assert "Line 3, column count: A count cannot be below zero." in out
    assert "Nothing was written: every row must be right (all or nothing)." in out


def test_with_partial_the_good_rows_are_written_and_the_bad_named(tmp_path, editor, pause):
    data = claims_csv(claim_row(), claim_row(count="-3"), claim_row(summary="Another strike"))

    out, _err, error = run(write(tmp_path, data), "--partial")

    assert error == "Some rows were refused."
    assert "Line 3, column count: A count cannot be below zero." in out
    assert ComplianceEvent.objects.count() == 2


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"commitment": "gone"}, "commitment", "There is no commitment “gone”."),
        ({"claimant": "atlantis"}, "claimant", "There is no party “atlantis”."),
        ({"kind": "rumour"}, "kind", "“rumour” is not one of: alleged_violation,"),
        ({"occurred_at": "02/04/2025 06:00"}, "occurred_at", "06:00” is not an instant;"),
        ({"occurred_at": "2025-04-02 06:00"}, "occurred_at", "06:00” has no time zone;"),
        ({"occurred_at": "2025-04-02"}, "occurred_at", "“2025-04-02” is a date without a time;"),
        ({"occurred_at": "2025-02-30T06:00Z"}, "occurred_at", "is not a real date and time."),
        ({"occurred_at": "2025-05-02T06:00Z"}, "occurred_at", "cannot be dated in the future"),
        ({"count": "-3"}, "count", "A count cannot be below zero."),
        ({"count": "many"}, "count", "“many” is not a whole number."),
        ({"summary": ""}, "summary", REQUIRED),
        ({"accused": "ukraine"}, "accused", "A party cannot accuse itself."),
        ({"id": "999"}, "id", "There is no claim 999 here."),
        ({"id": "9" * 30}, "id", "is too large."),
        ({"summary": "Strike\x00"}, "summary", CONTROL_CHARACTERS),
        ({"source_urls": "not a link"}, "source_urls", "Enter a valid URL."),
        ({"kind": "delivery", "quantities": "ukraine: lots"}, "quantities", "is not “party:"),
    ],
)  # fmt: skip
def test_a_bad_cell_is_named_by_line_and_column(tmp_path, editor, pause, cells, column, message):
    out = refused(tmp_path, claims_csv(claim_row(**cells)))

    assert f"Line 2, column {column}: " in out
    assert message in out.split(f"Line 2, column {column}: ", 1)[1]


def test_a_file_not_in_utf8_is_refused_at_its_first_such_line(tmp_path, editor, pause):
    data = claims_csv(claim_row(), claim_row(summary="Frappe à Kharkiv"), encoding="cp1252")

    out = refused(tmp_path, data)

    assert "Line 3 is not UTF-8 text" in out
    assert "Save the file as UTF-8" in out


def test_a_utf8_byte_order_mark_is_read_past(tmp_path, editor, pause):
    data = "\ufeff".encode() + claims_csv(claim_row(summary="Удар по підстанції"))

    _out, _err, error = run(write(tmp_path, data))

    assert error is None
    assert ComplianceEvent.objects.get().summary == "Удар по підстанції"


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        ([c for c in COLUMNS if c != "summary"], "missing summary"),
        ([*COLUMNS, "notes"], "unknown notes"),
    ],
)
def test_missing_or_extra_columns_are_refused_at_the_header(
    tmp_path, editor, pause, columns, problem
):
    out = refused(tmp_path, claims_csv(claim_row(), columns=columns))

    assert f"Line 1: The header does not have the columns of events.csv ({problem})" in out


def test_a_row_with_too_many_cells_is_named(tmp_path, editor, pause):
    data = claims_csv(claim_row()) + b"1,2,3\n"

    out = refused(tmp_path, data)

    assert f"Line 3: This row has 3 cells, the header {len(COLUMNS)}." in out


def test_a_formula_in_a_workbook_is_refused_never_evaluated(tmp_path, editor, pause):
    workbook = openpyxl.Workbook()
    workbook.active.append(list(COLUMNS))
    workbook.active.append([claim_row()[c] for c in COLUMNS])
    workbook.active["L2"] = "=2+2"
    path = tmp_path / "claims.xlsx"
    workbook.save(path)

    out = refused(tmp_path, path.read_bytes(), "claims.xlsx")

    assert (
        "Line 2, column count: The cell holds a formula (=2+2); formulas are not evaluated." in out
    )


def test_a_claim_given_twice_in_one_file_is_refused_at_its_second_line(tmp_path, editor, pause):
    out = refused(tmp_path, claims_csv(claim_row(), claim_row(summary="Other"), claim_row()))

    assert "Line 4: This row repeats the claim on line 2" in out


def test_a_json_file_that_is_not_an_array_is_refused(tmp_path, editor, pause):
    out = refused(tmp_path, json.dumps(claim_row()).encode(), "claims.json")

    assert "The file must be a JSON array of objects" in out


# Duplicates --------------------------------------------------------------------------


def test_possible_duplicates_are_written_flagged_with_a_link_to_the_original(
    tmp_path, editor, pause, parties
):
    russia, ukraine = parties
    original = ComplianceEventFactory(
        commitment=pause,
        claimant=ukraine,
        accused=russia,
        occurred_at=dt.datetime(2025, 4, 2, 4, tzinfo=UTC),
        summary="Drone strike on a substation in Kharkiv region.",
    )
    data = claims_csv(
        claim_row(source_urls=""),
        claim_row(summary="Shelling of Nikopol", source_urls="https://mod.example.org/nikopol"),
        claim_row(summary="Nikopol shelled", source_urls="https://mod.example.org/nikopol"),
    )

    out, _err, error = run(write(tmp_path, data))

    assert error is None
    assert "3 rows: 3 new (2 possible duplicates)" in out
    assert (
        f"Line 2: new, possibly a duplicate of claim {original.pk}. "
        f"See http://127.0.0.1:8000/admin/tracker/complianceevent/{original.pk}/change/" in out
    )
    assert "Line 4: new, possibly a duplicate of line 3." in out
    first, second, third = ComplianceEvent.objects.exclude(pk=original.pk).order_by("pk")
    assert (first.possible_duplicate_of, second.possible_duplicate_of) == (original, None)
    assert third.possible_duplicate_of == second


# Progress ----------------------------------------------------------------------------


def test_progress_is_plain_counts_when_not_on_a_terminal(tmp_path, editor, pause):
    _out, err, _error = run(write(tmp_path, claims_csv(claim_row())))

    assert err.strip() == "1 rows read"


def test_progress_can_be_a_bar_or_nothing(tmp_path, editor, pause, capsys):
    path = write(tmp_path, claims_csv(claim_row(), claim_row(summary="Other strike")))

    _out, err, _error = run(path, "--progress", "none", "--dry-run")
    assert err == ""
    run(path, "--progress", "bar", "--dry-run")

    bar = capsys.readouterr().err
    assert "100%" in bar and "2/2" in bar and "rows" in bar


def test_the_generic_import_command_is_switched_off_for_the_services_sake(tmp_path, editor):
    with pytest.raises(CommandError, match="import_events"):
        call_command("import", "tracker.ComplianceEvent", str(tmp_path / "claims.csv"))


def test_an_unknown_region_code_is_named_by_line_and_column_and_nothing_written(
    tmp_path, editor, pause
):
    out = refused(tmp_path, claims_csv(claim_row(), claim_row(region="XX-99")))

    assert "Line 3, column region: Unknown region code “XX-99”" in out


def test_a_region_name_instead_of_a_code_is_refused(tmp_path, editor, pause):
    out = refused(tmp_path, claims_csv(claim_row(region="Sumy")))

    assert "Line 2, column region: Unknown region code “Sumy”" in out


def test_a_region_code_is_imported(tmp_path, editor, pause):
    run(write(tmp_path, claims_csv(claim_row(region="UA-59"))))

    assert ComplianceEvent.objects.get().region == "UA-59"


# Large files ---------------------------------------------------------------------------


def many_claims(count: int, *, start: int = 0) -> list[dict]:
    """``count`` different claims, a few an hour, over the weeks before the frozen clock.

    Two hundred sources are cited in turn, so no two claims of a day cite the same.
    """
    first = dt.datetime(2025, 2, 1, tzinfo=UTC)
    return [
        claim_row(
            occurred_at=(first + dt.timedelta(minutes=37 * n)).isoformat(),
            summary=f"Claim {n}: {hashlib.sha256(str(n).encode()).hexdigest()[:24]}",
            source_urls=f"https://mod.example.org/daily/{n % 200}",
        )
        for n in range(start, start + count)
    ]


def test_two_thousand_rows_are_two_thousand_claims_each_with_its_history(tmp_path, reviewer, pause):
    path = write(tmp_path, claims_csv(*many_claims(2000)), "ministry-spring.csv")

    out, _err, error = run(path, user="reviewer")

    assert error is None, out
    assert "2000 rows: 2000 new, 0 already there, 0 refused" in out
    events = ComplianceEvent.objects.all()
    assert events.count() == 2000
    assert set(events.values_list("recorded_by", "is_published", "verification")) == {
        (reviewer.pk, False, "unverified")
    }
    history = ComplianceEvent.history.all()
    # Recorded, then its sources set: two rows for each claim, as for one typed in.
    assert history.filter(history_type="+").count() == 2000
    assert history.filter(history_type="~").count() == 2000
    assert set(history.values_list("history_user", "history_change_reason")) == {
        (reviewer.pk, "Imported from ministry-spring.csv")
    }
    assert set(events.values_list("pk", flat=True)) == set(
        history.filter(history_type="+").values_list("id", flat=True)
    )
    assert Source.objects.count() == 200
    assert Source.history.count() == 200
    latest = ComplianceEvent.objects.order_by("pk").last()
    assert [s.url for s in latest.sources.all()] == ["https://mod.example.org/daily/199"]
    assert [row.source.url for row in latest.history.first().sources.all()] == [
        "https://mod.example.org/daily/199"
    ]


def test_after_an_import_each_summary_is_rebuilt_once_and_is_right(
    tmp_path, editor, pause, parties, monkeypatch
):
    from tracker import summaries

    russia, ukraine = parties
    ComplianceEventFactory(
        commitment=pause,
        claimant=ukraine,
        accused=russia,
        occurred_at=dt.datetime(2025, 3, 1, tzinfo=UTC),
        is_published=True,
    )
    exchange = CommitmentFactory(slug="exchange-175", shape="deliverable", category="prisoners")
    rows = [
        *many_claims(600),
        claim_row(commitment="exchange-175", kind="delivery", quantities="ukraine: 175"),
    ]
    built = []
    build = summaries.build
    monkeypatch.setattr(summaries, "build", lambda ids, **kw: built.append(ids) or build(ids, **kw))

    _out, _err, error = run(write(tmp_path, claims_csv(*rows)))

    assert error is None
    assert built == [sorted([pause.pk, exchange.pk])]
    for commitment in (pause, exchange):
        stored = summaries.ComplianceSummary.objects.get(commitment=commitment)
        (fresh,) = build([commitment.pk])
        assert (stored.cells, stored.days, stored.worst_days, stored.handovers) == (
            fresh.cells,
            fresh.days,
            fresh.worst_days,
            fresh.handovers,
        )
        assert (stored.claims, stored.last_event_at) == (fresh.claims, fresh.last_event_at)
    assert DeliveredQuantity.objects.get().quantity == 175


def test_a_claim_repeated_later_in_a_long_file_is_flagged_with_the_line_it_repeats(
    tmp_path, editor, pause
):
    rows = many_claims(1200)
    # Line 1102 words line 2's claim a little differently, in a later batch.
    rows[1100] = {**rows[0], "summary": rows[0]["summary"] + ".", "source_urls": ""}
    # Line 1103 cites line 1102's source, on the same day as line 1102.
    rows[1101] = {**rows[1101], "occurred_at": rows[1100]["occurred_at"]}
    rows[1101]["summary"] = "Another report altogether"
    rows[1101]["source_urls"] = rows[1100]["source_urls"] = "https://example.org/once"

    out, _err, error = run(write(tmp_path, claims_csv(*rows)))

    assert error is None, out
    assert "1200 rows: 1200 new (2 possible duplicates)" in out
    assert "Line 1102: new, possibly a duplicate of line 2." in out
    assert "Line 1103: new, possibly a duplicate of line 1102." in out
    first, repeat, citing = (
        ComplianceEvent.objects.get(summary=rows[n]["summary"]) for n in (0, 1100, 1101)
    )
    assert (repeat.possible_duplicate_of, citing.possible_duplicate_of) == (first, repeat)


def test_a_claim_given_twice_in_one_batch_is_refused_at_its_second_line(tmp_path, editor, pause):
    rows = many_claims(300)

    out = refused(tmp_path, claims_csv(*rows, rows[120]))

    assert "Line 302: This row repeats the claim on line 122" in out


def queries_to_import(tmp_path, rows: list[dict]) -> tuple[int, int]:
    """How many queries a dry run of these rows makes: inserts, and all the others."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = write(tmp_path, claims_csv(*rows), f"claims-{len(rows)}.csv")
    with CaptureQueriesContext(connection) as queries:
        _out, _err, error = run(path, "--dry-run")
    assert error is None
    inserts = sum(query["sql"].startswith("INSERT") for query in queries)
    return inserts, len(queries) - inserts


def test_the_queries_of_an_import_do_not_grow_with_its_rows(tmp_path, editor, pause, monkeypatch):
    from tracker import recording

    monkeypatch.setattr(recording, "BATCH_SIZE", 1000)
    hundred_inserts, hundred_others = queries_to_import(tmp_path, many_claims(100))
    inserts, others = queries_to_import(tmp_path, many_claims(1000))

    # Look-ups are made once per batch of rows, whatever its length.
    assert others == hundred_others
    # Many rows go into each INSERT: as many as the database takes values in one
    # (999 on SQLite, so some thirty claims, with their thirty-odd columns).
    assert inserts <= 1000 / 5
