"""Garbage in, a clear answer out: generated files of claims never fail the import.

Hypothesis makes CSV, JSON and XLSX files that are nested to any depth, cut
short, huge in one cell, full of control characters, numbers of any length
and instants at the calendar's edges, and bytes that are no format at all.
Each is imported as a dry run through the path the command and the admin
share: the answer is a tally with every problem in words, never an
exception, nothing is written, and the memory spent is bounded by the limits,
not by the file.

``FUZZ_SCALE=20 pytest tests/test_fuzz_imports.py`` runs twenty times as many examples.
"""

import io
import json
import os
import tracemalloc
import zipfile

import openpyxl
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests.factories import CommitmentFactory, PartyFactory, UserFactory
from tests.intake_support import claim_row, claims_csv
from tracker.models import Commitment, ComplianceEvent, Party, Source
from tracker.roles import EDITORS, ensure_staff_roles
from tracker.staff.intake import importer
from tracker.staff.intake.reading import COLUMNS

SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=30 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# What one hostile file may cost, at most, whatever its shape (the limits allow a row
# of 256 KB; Python's objects for it take a few times that).
MOST_MEMORY = 8 * 2**20

CELLS = st.one_of(
    st.text(max_size=40),
    st.integers().map(str),
    st.sampled_from(
        [
            "9" * 5000,
            "-" + "1" * 30,
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "2025-02-30T06:00Z",
            "\x00",
            "=2+2",
            "ukraine: " + "7" * 400,
            "x" * 30_000,
        ]
    ),
)


def nested(depth: int, opening: str) -> str:
    closing = "".join({"[": "]", "{": "}"}[c] for c in opening if c in "[{")
    return opening * depth + "1" + closing[::-1] * depth


class ImportFuzz(TestCase):
    def setUp(self):
        ensure_staff_roles()
        from django.contrib.auth.models import Group, User

        self.editor = User.objects.filter(username="fuzz-editor").first() or UserFactory(
            username="fuzz-editor", is_staff=True
        )
        self.editor.groups.add(Group.objects.get(name=EDITORS))
        for slug in ("russia", "ukraine"):
            if not Party.objects.filter(slug=slug).exists():
                PartyFactory(slug=slug)
        if not Commitment.objects.filter(slug="energy-pause").exists():
            CommitmentFactory(slug="energy-pause")
        self.clock = time_machine.travel("2025-04-10T12:00:00Z", tick=False)
        self.clock.start()

    def tearDown(self):
        self.clock.stop()

    def assert_answered(self, data: bytes, file_format: str) -> None:
        stream = io.BytesIO(data)
        messages = []
        tracemalloc.start()
        try:
            tally = importer.import_claims(
                stream,
                file_format=file_format,
                file_name=f"fuzz.{file_format}",
                actor=self.editor,
                dry_run=True,
                report=lambda outcome: messages.extend(outcome.messages()),
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert all(isinstance(message, str) and message for message in messages)
        if tally.has_problems:
            assert messages, "a refusal is always said"
        assert peak < MOST_MEMORY, f"{len(data):,} bytes of {file_format} took {peak:,}"
        assert not ComplianceEvent.objects.exists()
        assert not Source.objects.exists()

    @FUZZ
    @given(st.lists(st.dictionaries(st.sampled_from(COLUMNS), CELLS), max_size=5))
    def test_no_csv_of_any_cells_fails_the_import(self, rows):
        self.assert_answered(claims_csv(*(claim_row(**row) for row in rows)), "csv")

    @FUZZ
    @given(st.binary(max_size=2000), st.sampled_from(["csv", "json", "xlsx"]))
    def test_no_bytes_fail_the_import_whatever_format_they_claim(self, data, file_format):
        self.assert_answered(data, file_format)

    @FUZZ
    @given(
        depth=st.integers(min_value=0, max_value=30_000),
        opening=st.sampled_from(["[", '{"a":', '{"summary":[', '[{"count":']),
        column=st.sampled_from(COLUMNS),
        where=st.sampled_from(["cell", "item", "file"]),
        cut=st.integers(min_value=0, max_value=100),
    )
    def test_no_json_nested_to_any_depth_or_cut_short_fails_the_import(
        self, depth, opening, column, where, cut
    ):
        deep = nested(depth, opening)
        if where == "cell":
            data = json.dumps([claim_row()]).replace(f'"{column}": ', f'"{column}": {deep}, "x": ')
        elif where == "item":
            data = f"[{deep}]"
        else:
            data = deep
        if cut:
            data = data[: max(len(data) * cut // 100, 1)]
        self.assert_answered(data.encode(), "json")

    @FUZZ
    @given(
        cells=st.lists(st.tuples(st.sampled_from(COLUMNS), CELLS), max_size=4),
        dimension=st.sampled_from(["A1:A1", "A1:XFD1048576", "B2:C3", "A1:U3"]),
        padding=st.integers(min_value=0, max_value=20 * 2**20),
        cut=st.integers(min_value=0, max_value=100),
    )
    def test_no_workbook_forged_padded_or_cut_short_fails_the_import(
        self, cells, dimension, padding, cut
    ):
        book = openpyxl.Workbook()
        book.active.append(list(COLUMNS))
        row = claim_row()
        # Characters a workbook cannot hold at all are the CSV test's to try.
        row.update((column, ILLEGAL_CHARACTERS_RE.sub("", value)) for column, value in cells)
        book.active.append([row[c] for c in COLUMNS])
        saved = io.BytesIO()
        book.save(saved)
        original, forged = zipfile.ZipFile(saved), io.BytesIO()
        with zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as out:
            for part in original.infolist():
                body = original.read(part.filename)
                if part.filename == "xl/worksheets/sheet1.xml":
                    body = body.replace(
                        b'<dimension ref="A1:U2"', f'<dimension ref="{dimension}"'.encode()
                    )
                    body = body.replace(b"</sheetData>", b"</sheetData>" + b" " * padding)
                out.writestr(part, body)
        data = forged.getvalue()
        if cut:
            data = data[: len(data) * cut // 100]
        self.assert_answered(data, "xlsx")
