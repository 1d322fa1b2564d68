"""Reading a file of claims: CSV, XLSX or JSON, one row at a time.

Every format gives the same thing: the header checked against the columns of
the open-data ``events.csv``, then each row as ``Row(line, values)``, where
``line`` is what a person finds in the file: the line, the header being
line 1 (for XLSX, the sheet's row number), or for JSON the object's place in
the array, counted from 1 (``PLACE`` names which). Rows are
read lazily, so a file of any length costs the memory of one row.

Anything that makes the file unreadable raises ``FileRefused`` with the line
and what to do about it. Every limit (``Limits``: the file's size, its rows,
a row's bytes, a cell's characters, a number's digits, the nesting of JSON,
what a workbook unpacks to) is checked while the bytes stream past, before
anything of that size is built in memory, so a hostile file costs at most
the memory of one row of the largest size allowed, and never more CPU than
its limits allow. Formats:

- CSV: UTF-8, with or without a byte-order mark. Another encoding is refused
  at the first line that is not UTF-8, rather than guessed.
- XLSX: the first sheet, values as typed. A cell holding a formula is
  refused, never evaluated: its cached result may be stale or missing, and
  the person who made the file should decide what the cell says. The
  sheet's declared size (``<dimension>``) is never trusted: rows are the
  ones the sheet holds, numbered as it numbers them, and nothing is padded.
  The archive is checked before it is opened (what each part unpacks to,
  and by how much it was squeezed), and its XML is read with defusedxml.
- JSON: an array of objects whose keys are the columns, each value text, a
  number, or a list of those (streamed with ijson, event by event; nothing
  deeper is built).

What every format shares (the refusal, the row, the limits, the metered
stream, the header) is in ``base``; each format has its module: ``delimited``
(CSV), ``workbook`` (XLSX) and ``objects`` (JSON).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from tracker.staff.intake.reading.base import (
    COLUMNS,
    FORMATS,
    PLACE,
    FileRefused,
    Limits,
    Metered,
    Row,
    as_row,
    check_header,
    format_of,
    size,
    too_long,
    too_many_rows,
    unquoted,
)
from tracker.staff.intake.reading.delimited import csv_rows
from tracker.staff.intake.reading.objects import json_rows
from tracker.staff.intake.reading.workbook import check_archive, xlsx_rows

__all__ = [
    "COLUMNS",
    "FORMATS",
    "PLACE",
    "FileRefused",
    "Limits",
    "Metered",
    "Row",
    "as_row",
    "check_archive",
    "check_header",
    "count_rows",
    "csv_rows",
    "format_of",
    "json_rows",
    "rows",
    "size",
    "too_long",
    "too_many_rows",
    "unquoted",
    "xlsx_rows",
]


def rows(stream: IO[bytes], file_format: str, limits: Limits | None = None) -> Iterator[Row]:
    """The file's rows after its header, in order; raises ``FileRefused``."""
    readers = {"csv": csv_rows, "xlsx": xlsx_rows, "json": json_rows}
    return readers[file_format](stream, limits or Limits.from_settings())


def count_rows(stream: IO[bytes], file_format: str) -> int | None:
    """How many rows the file holds, cheaply, for a progress bar; None when unknown."""
    if file_format != "csv":
        return None
    try:
        return sum(1 for _row in csv_rows(stream, Limits.from_settings(), check=False))
    except FileRefused:
        return None
    finally:
        stream.seek(0)
