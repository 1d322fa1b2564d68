"""A file of claims cannot sink the server: limits, hostile files, busy databases.

Whatever an editor uploads or hands to ``import_events`` (a file of nested
brackets, a workbook that unpacks to gigabytes or declares a million rows it
does not have, numbers and instants at the edge of what Python keeps, one
endless line), the answer is a sentence naming the line (or item) and the
column, nothing is written, and the memory spent stays that of a row. The
file is read to its end before the write transaction opens, so a file that
cannot be read never holds SQLite's write lock; a database held by another
writer, or a source added by another import at the same moment, is refused
in words, never with the database's own error.
"""

import contextlib
import datetime as dt
import io
import json
import re
import tracemalloc
import zipfile

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CommitmentFactory, PartyFactory
from tests.intake_support import claim_row, claims_csv
from tracker import recording
from tracker.models import ComplianceEvent, Source
from tracker.models.validators import BEFORE_1900, EVENT_IN_THE_FUTURE
from tracker.staff.intake import importer
from tracker.staff.intake.reading import COLUMNS

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pause(db):
    PartyFactory(slug="russia", name="Russia")
    PartyFactory(slug="ukraine", name="Ukraine")
    return CommitmentFactory(slug="energy-pause", title="Energy pause")


def imported(data: bytes, file_format: str, actor, *, dry_run=False) -> tuple[str, list[str]]:
    """Import through the one path command and admin share: the tally and every message."""
    outcomes = []
    tally = importer.import_claims(
        io.BytesIO(data),
        file_format=file_format,
        file_name=f"claims.{file_format}",
        actor=actor,
        dry_run=dry_run,
        report=outcomes.append,
    )
    return str(tally), [message for outcome in outcomes for message in outcome.messages()]


def peak_of(work) -> int:
    """The most memory ``work()`` held at once, in bytes, as tracemalloc counts it."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def workbook(*rows: list, dimension: str | None = None, extra_sheet_xml: bytes = b"") -> bytes:
    """An XLSX of these rows under the header, its sheet's declared dimension forged if asked."""
    book = openpyxl.Workbook()
    book.active.append(list(COLUMNS))
    for row in rows:
        book.active.append(row)
    saved = io.BytesIO()
    book.save(saved)
    if dimension is None and not extra_sheet_xml:
        return saved.getvalue()
    original, forged = zipfile.ZipFile(saved), io.BytesIO()
    with zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as out:
        for part in original.infolist():
            data = original.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                if dimension is not None:
                    data = re.sub(
                        rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), data
                    )
                data = data.replace(b"</sheetData>", b"</sheetData>" + extra_sheet_xml)
            out.writestr(part, data)
    return forged.getvalue()


def row_of(**cells) -> list:
    claim = claim_row(**cells)
    return [claim[column] for column in COLUMNS]


# Numbers and instants at the edge of what Python keeps ------------------------------------


def test_a_count_thousands_of_digits_long_is_named_by_line_and_column(editor, pause):
    tally, messages = imported(claims_csv(claim_row(count="9" * 5000)), "csv", editor)

    assert tally == "1 rows: 0 new, 0 already there, 1 refused"
    assert messages[0].startswith("Line 2, column count: 99999")
    assert messages[0].endswith("is too large.")


def test_a_quantity_thousands_of_digits_long_is_named_by_line_and_column(editor, pause):
    row = claim_row(kind="delivery", accused="", quantities="ukraine: " + "1" * 5000)

    _tally, messages = imported(claims_csv(row), "csv", editor)

    assert messages[0].startswith("Line 2, column quantities: 1111")


@pytest.mark.parametrize(
    ("instant", "message"),
    [
        ("0001-01-01T00:00:00+01:00", BEFORE_1900),
        ("9999-12-31T23:59:59-01:00", EVENT_IN_THE_FUTURE),
    ],
)
def test_an_instant_at_the_edge_of_the_calendar_is_named_by_line_and_column(
    editor, pause, instant, message
):
    _tally, messages = imported(claims_csv(claim_row(occurred_at=instant)), "csv", editor)

    assert messages == [f"Line 2, column occurred_at: {message}"]


def test_a_json_number_too_long_to_read_is_named_by_item_and_column(editor, pause):
    data = json.dumps([claim_row(), claim_row(count=7)]).encode()
    data = data.replace(b'"count": 7', b'"count": ' + b"9" * 5000)

    tally, messages = imported(data, "json", editor)

    assert messages == [
        "Item 2, column count: A number too large to read: numbers here have at most 19 digits."
    ]
    assert tally.endswith("0 refused")  # the file, not a row, is refused
    assert not ComplianceEvent.objects.exists()


def test_a_workbook_number_too_long_to_read_is_named_by_line_and_column(editor, pause):
    book = openpyxl.Workbook()
    book.active.append(list(COLUMNS))
    book.active.append(row_of())
    saved = io.BytesIO()
    book.save(saved)
    original, forged = zipfile.ZipFile(saved), io.BytesIO()
    with zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as out:
        for part in original.infolist():
            data = original.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                # The count cell (column L) as a number of five thousand digits.
                data = data.replace(
                    b"</row></sheetData>",
                    b'<c r="L2"><v>' + b"9" * 5000 + b"</v></c></row></sheetData>",
                )
            out.writestr(part, data)

    _tally, messages = imported(forged.getvalue(), "xlsx", editor)

    assert messages == [
        "Line 2, column count: This number is too long; numbers here have at most 19 digits."
    ]


# Nested JSON -------------------------------------------------------------------------------


BRACKETS = b"[" * 20_000 + b"]" * 20_000


@pytest.mark.parametrize(
    ("shape", "data", "message"),
    [
        (
            "brackets in a cell",
            json.dumps([claim_row(summary="X")]).encode().replace(b'"X"', BRACKETS),
            "Item 1, column summary: Give text, a number or a list of them here",
        ),
        ("brackets for an item", b"[" + b"[" * 20_000 + b"]" * 20_000 + b"]",
         "Item 1: This item is not an object."),
        ("objects in objects", b"[" + b'{"a":' * 20_000 + b"1" + b"}" * 20_000 + b"]",
         "Item 1: This object does not have"),
    ],
)  # fmt: skip
def test_nested_json_is_refused_without_being_built(editor, pause, shape, data, message):
    result = {}

    peak = peak_of(lambda: result.update(outcome=imported(data, "json", editor)))

    assert result["outcome"][1][0].startswith(message)
    # Some forty kilobytes of brackets once cost a gigabyte.
    assert peak < 4 * 2**20, f"{shape}: {peak:,} bytes"


# Workbooks ---------------------------------------------------------------------------------


def test_a_workbook_whose_declared_dimension_is_stale_still_gives_every_row(editor, pause):
    rows = [
        row_of(summary=f"Strike number {n} on a substation", occurred_at=f"2025-04-0{n}T06:00:00Z")
        for n in range(1, 6)
    ]

    tally, messages = imported(workbook(*rows, dimension="A1:C3"), "xlsx", editor)

    assert tally == "5 rows: 5 new, 0 already there, 0 refused", messages
    assert ComplianceEvent.objects.count() == 5


def test_a_workbook_that_declares_every_cell_excel_allows_is_read_for_the_rows_it_has(
    editor, pause
):
    rows = [
        row_of(summary=f"Strike number {n}", occurred_at=f"2025-04-0{n}T06:00:00Z")
        for n in range(1, 3)
    ]
    # The last row Excel allows, far below the others, with nothing in it but a space.
    far = b'<sheetData><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t> </t></is></c></row>'
    data = workbook(*rows, dimension="A1:XFD1048576")
    original, forged = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as out:
        for part in original.infolist():
            body = original.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</sheetData>", far[len(b"<sheetData>") :] + b"</sheetData>")
            out.writestr(part, body)

    result = {}

    peak = peak_of(lambda: result.update(outcome=imported(forged.getvalue(), "xlsx", editor)))

    tally, messages = result["outcome"]
    assert tally == "2 rows: 2 new, 0 already there, 0 refused", messages
    assert peak < 4 * 2**20, f"{peak:,} bytes"


def test_a_workbook_that_unpacks_to_far_more_than_it_weighs_is_refused_unopened(editor, pause):
    # Fifty megabytes of spaces in the sheet pack into some fifty kilobytes.
    bomb = workbook(row_of(), extra_sheet_xml=b" " * (50 * 2**20))
    assert len(bomb) < 200_000

    peak = peak_of(lambda: imported(bomb, "xlsx", editor))
    _tally, messages = imported(bomb, "xlsx", editor)

    assert len(messages) == 1
    assert messages[0].startswith("Line 1: The workbook's part xl/worksheets/sheet1.xml unpacks")
    assert "times larger than it is packed (at most 100 times is taken)" in messages[0]
    assert peak < 2 * 2**20


def test_a_workbook_declaring_xml_entities_is_refused_unexpanded(editor, pause):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    book = io.BytesIO(workbook(row_of()))
    original, forged = zipfile.ZipFile(book), io.BytesIO()
    with zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as out:
        for part in original.infolist():
            body = original.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                body = laughs + re.sub(rb"^<\?xml[^>]*\?>", b"", body).replace(
                    b"<v>", b"<v>&lol2;", 1
                )
            out.writestr(part, body)

    _tally, messages = imported(forged.getvalue(), "xlsx", editor)

    assert len(messages) == 1
    assert messages[0].startswith("Line 1: The file is not an XLSX workbook (")
    assert not ComplianceEvent.objects.exists()


# CSV and every format: size, rows, rows' bytes, cells ----------------------------------------


def test_a_file_that_is_one_endless_line_is_refused_after_a_rows_worth_of_bytes(editor, pause):
    endless = claims_csv(claim_row()) + b"x" * (8 * 2**20)

    peak = peak_of(lambda: imported(endless, "csv", editor))
    _tally, messages = imported(endless, "csv", editor)

    assert messages[-1] == (
        "Line 3: Line 3 is longer than 256 KB, the most a row may take. "
        "Is the file CSV with one claim a line?"
    )
    assert peak < 3 * 2**20, f"{peak:,} bytes"


def test_a_quoted_cell_that_never_closes_is_refused_at_the_line_it_began(editor, pause):
    data = claims_csv(claim_row()) + b'"' + b"a long line\n" * 100_000

    _tally, messages = imported(data, "csv", editor)

    assert messages[-1] == (
        "Line 3: The row from line 3 has a cell that runs on for more than 128 KB: "
        "is a quotation mark left open?"
    )


def test_a_cell_longer_than_a_cell_may_be_is_named_by_line_and_column(editor, pause):
    _tally, messages = imported(claims_csv(claim_row(summary="x" * 20_001)), "csv", editor)

    assert messages == [
        "Line 2, column summary: This cell holds 20,001 characters; a cell may hold 20,000 at most."
    ]


@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_a_file_of_more_rows_than_allowed_is_refused_and_nothing_written(
    editor, pause, settings, file_format
):
    settings.INTAKE_MAX_ROWS = 3
    rows = [claim_row(summary=f"Strike number {n}") for n in range(4)]
    data = {
        "csv": lambda: claims_csv(*rows),
        "json": lambda: json.dumps(rows).encode(),
        "xlsx": lambda: workbook(*([row[c] for c in COLUMNS] for row in rows)),
    }[file_format]()

    _tally, messages = imported(data, file_format, editor)

    assert messages == [
        "The file: The file holds more than 3 rows, the most an import takes: "
        "split it into smaller files."
    ]
    assert not ComplianceEvent.objects.exists()


def test_a_file_larger_than_allowed_is_refused_as_it_streams(editor, pause, settings):
    settings.INTAKE_MAX_FILE_BYTES = 10_000
    data = claims_csv(*(claim_row(summary=f"Strike number {n}") for n in range(100)))

    _tally, messages = imported(data, "csv", editor)

    assert messages == [
        "The file: The file is larger than 10 KB, the most an import takes: "
        "split it into smaller files."
    ]


def test_the_command_refuses_a_hostile_file_in_words_and_writes_nothing(tmp_path, editor, pause):
    path = tmp_path / "claims.json"
    nested = b"[" * 20_000 + b"]" * 20_000
    path.write_bytes(json.dumps([claim_row(summary="X")]).encode().replace(b'"X"', nested))
    out = io.StringIO()

    with pytest.raises(CommandError, match="Some rows were refused."):
        call_command(
            "import_events", str(path), "--user", "editor", stdout=out, stderr=io.StringIO()
        )

    assert "Item 1, column summary: Give text, a number or a list of them here" in out.getvalue()
    assert not ComplianceEvent.objects.exists()


# Outside the write transaction, and beside other writers -------------------------------------


def test_a_file_that_cannot_be_read_to_its_end_writes_nothing_not_even_for_a_moment(editor, pause):
    rows = [
        claim_row(summary=f"Strike number {n}", occurred_at=f"2025-03-{1 + n % 28:02d}T06:00:00Z")
        for n in range(1200)
    ]
    data = claims_csv(*rows) + "Frappe à Kharkiv\n".encode("cp1252")

    with CaptureQueriesContext(connection) as queries:
        _tally, messages = imported(data, "csv", editor)

    assert messages[-1].startswith("Line 1202: Line 1202 is not UTF-8 text")
    # The lock of SQLite's write transaction is never taken for a file that cannot be read.
    assert not [query for query in queries if query["sql"].startswith(("INSERT", "UPDATE"))]


def test_an_import_that_finds_the_database_held_by_another_writer_says_so_in_words(
    editor, pause, monkeypatch
):
    @contextlib.contextmanager
    def locked():
        raise OperationalError("database is locked")
        yield

    monkeypatch.setattr(importer.transaction, "atomic", locked)

    tally, messages = imported(claims_csv(claim_row()), "csv", editor)

    assert messages == [
        "The file: The database stayed busy with another import or save, so nothing of this "
        "file was written. Import it again in a minute."
    ]
    assert "0 new" in tally


def test_a_source_added_by_another_import_at_the_same_moment_is_refused_in_words(
    editor, pause, monkeypatch
):
    url = "https://mod.example.org/daily/2025-04-02"
    prepare = recording.ClaimBatch.prepare

    def another_import_commits_the_same_source(batch, events, urls):
        prepare(batch, events, urls)
        Source.objects.create(url=url)  # after this import looked, before it writes

    monkeypatch.setattr(recording.ClaimBatch, "prepare", another_import_commits_the_same_source)

    _tally, messages = imported(claims_csv(claim_row(source_urls=url)), "csv", editor)

    assert messages == [
        f"Line 2, column source_urls: The source {url} was added by someone else (another "
        "import, or an edit) while this file was being imported. Import the file again: it "
        "will cite that source."
    ]
    assert not ComplianceEvent.objects.exists()


def test_openpyxl_reads_workbooks_through_defusedxml():
    import openpyxl as library

    assert library.DEFUSEDXML is True


# The quicker ways of reading a text say what the slower ones said ----------------------------


def test_control_characters_are_found_as_unicode_category_cc_says():
    import sys
    import unicodedata

    from tracker.models.validators import has_control_characters

    for code in range(sys.maxunicode + 1):
        character = chr(code)
        control = unicodedata.category(character) == "Cc"
        assert has_control_characters(character, multiline=False) == control, hex(code)
        assert has_control_characters(character, multiline=True) == (
            control and character not in "\n\r\t"
        ), hex(code)


def test_summaries_are_normalised_and_compared_as_with_difflib_in_python():
    import difflib

    from tracker import duplicates

    texts = [
        "Drone strike on a substation in Kharkiv region",
        "Drone strike on substation, Kharkiv region",
        "Shelling of Nikopol damaged a power line",
        "Shelling of Marhanets damaged a power line",
        "Удар по підстанції — Харків!",
        "Ударъ по подстанции в Харькове",
        "Café  «Crème» ½ — naïve\u0301 ﬁne",
    ]
    for first in texts:
        words = duplicates.normalised(first)
        decomposed = unicodedata_words(first)
        assert words == decomposed
        for second in texts:
            a, b = duplicates.normalised(first), duplicates.normalised(second)
            expected = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
            similarity = duplicates.words_similarity(a, b)
            assert similarity == expected or (
                similarity < duplicates.SIMILAR_ENOUGH and expected < duplicates.SIMILAR_ENOUGH
            )


def unicodedata_words(text: str) -> str:
    """``duplicates.normalised`` as it was first written: a look-up per character."""
    import unicodedata

    kept = []
    for character in unicodedata.normalize("NFKD", text.casefold()):
        category = unicodedata.category(character)
        if category == "Mn":
            continue
        kept.append(character if category[0] in "LN" else " ")
    return " ".join("".join(kept).split())


# Memory ---------------------------------------------------------------------------------------


def file_of_claims(tmp_path, rows: int):
    """``rows`` different claims, eleven minutes apart from New Year 2025, each with its source."""
    first = dt.datetime(2025, 1, 1, tzinfo=UTC)
    path = tmp_path / f"claims-{rows}.csv"
    path.write_bytes(
        claims_csv(
            *(
                claim_row(
                    occurred_at=(first + dt.timedelta(minutes=11 * n)).isoformat(),
                    summary=f"Report {n} of a strike on a substation",
                    source_urls=f"https://mod.example.org/daily/{n}",
                )
                for n in range(rows)
            )
        )
    )
    return path


def import_peak(tmp_path, actor, rows: int) -> int:
    """The Python memory a dry run of ``rows`` different claims holds at most, file on disk."""
    path = file_of_claims(tmp_path, rows)
    with path.open("rb") as stream:
        tracemalloc.start()
        try:
            tally = importer.import_claims(
                stream, file_format="csv", file_name=path.name, actor=actor, dry_run=True
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert tally.new == rows
    return peak


def test_the_memory_of_an_import_does_not_grow_with_the_rows_of_its_file(tmp_path, editor, pause):
    small = import_peak(tmp_path, editor, 1000)
    large = import_peak(tmp_path, editor, 10_000)

    assert large <= 1.5 * small, f"1,000 rows: {small:,} bytes; 10,000 rows: {large:,} bytes"


def test_the_admin_answers_a_hostile_file_with_its_refusal_not_a_server_error(
    client, editor, pause
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(editor)
    data = claims_csv(claim_row(count="9" * 5000))

    response = client.post(
        reverse("admin:tracker_complianceevent_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("claims.csv", data)},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Some rows are refused; nothing was written" in page
    assert "count: 99999" in page
    assert not ComplianceEvent.objects.exists()


def import_statements(tmp_path, actor, rows: int) -> set[str]:
    """The statements a dry run of ``rows`` claims sends, as written before values are put in."""
    path = file_of_claims(tmp_path, rows)
    statements = set()

    def seen(execute, sql, params, many, context):
        statements.add(sql)
        return execute(sql, params, many, context)

    with path.open("rb") as stream, connection.execute_wrapper(seen):
        tally = importer.import_claims(
            stream, file_format="csv", file_name=path.name, actor=actor, dry_run=True
        )
    assert tally.new == rows
    return statements


def test_an_import_asks_the_same_statements_however_long_its_file(tmp_path, editor, pause):
    """Each connection keeps the statements it last compiled: a longer file needs no more."""
    recorded = file_of_claims(tmp_path, 3000)
    with recorded.open("rb") as stream:
        importer.import_claims(stream, file_format="csv", file_name="recorded.csv", actor=editor)

    short = import_statements(tmp_path, editor, 1000)
    long = import_statements(tmp_path, editor, 4000)

    assert long == short, "\n\n".join(sorted(long ^ short))
