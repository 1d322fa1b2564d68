"""CSV: UTF-8, with or without a byte-order mark, one record at a time."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from tracker.staff.intake.reading.base import (
    UTF8_BOM,
    UTF16_BOMS,
    ZIP_MAGIC,
    FileRefused,
    Limits,
    Metered,
    Row,
    as_row,
    check_header,
    size,
    too_many_rows,
)


@dataclass
class _Record:
    """Where the CSV record being read began, and how many bytes it has taken so far."""

    line: int = 1
    bytes: int = 0


def _decoded_lines(stream: IO[bytes], limits: Limits, record: _Record) -> Iterator[str]:
    """Each physical line as text; splitting bytes at newlines is safe in UTF-8.

    No line, and no record (a row whose quoted cells span lines), is read
    past ``limits.row_bytes``: a file that is one endless line is refused
    after that many bytes, not read into memory.
    """
    stream = Metered(stream, limit=limits.file_bytes, budget=limits.row_bytes)
    longest = limits.row_bytes + 1
    first = stream.readline(longest)
    if first.startswith(UTF16_BOMS):
        raise FileRefused(
            "The file is UTF-16 text; save it as UTF-8 (in Excel: “CSV UTF-8”).", line=1
        )
    if first.startswith(ZIP_MAGIC):
        raise FileRefused("This is a zipped file, perhaps a workbook: import it as XLSX.", line=1)
    if first.startswith(UTF8_BOM):
        first = first[len(UTF8_BOM) :]
    raw_lines = itertools.chain([first], iter(lambda: stream.readline(longest), b""))
    for number, raw in enumerate(raw_lines, start=1):
        record.bytes += len(raw)
        if record.bytes > limits.row_bytes:
            where = (
                f"Line {number}" if record.line == number else f"The row from line {record.line}"
            )
            raise FileRefused(
                f"{where} is longer than {size(limits.row_bytes)}, the most a row may take. "
                "Is the file CSV with one claim a line?",
                line=record.line,
            )
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRefused(
                f"Line {number} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte "
                f"{exc.start + 1} of the line). Save the file as UTF-8 "
                "(in Excel: “CSV UTF-8”).",
                line=number,
            ) from exc


def csv_rows(stream: IO[bytes], limits: Limits, *, check: bool = True) -> Iterator[Row]:
    record = _Record()
    lines = _decoded_lines(stream, limits, record)
    reader = csv.reader(lines, strict=True)
    count = 0
    try:
        header = next(reader, None)
        if header is None:
            raise FileRefused("The file is empty: it needs at least its header line.", line=1)
        names = check_header(header) if check else list(header)
        while True:
            start = reader.line_num + 1
            record.line, record.bytes = start, 0
            cells = next(reader, None)
            if cells is None:
                return
            row = as_row(start, names, cells, limits) if check else Row(start, {})
            if row is not None:
                count += 1
                if count > limits.rows:
                    raise too_many_rows(limits)
                yield row
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise FileRefused(
                f"The row from line {record.line} has a cell that runs on for more than "
                f"{size(csv.field_size_limit())}: is a quotation mark left open?",
                line=record.line,
            ) from exc
        raise FileRefused(
            f"Line {reader.line_num} is not well-formed CSV: {exc}.", line=reader.line_num
        ) from exc
