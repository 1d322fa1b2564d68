"""Reading a file of claims: CSV, XLSX or JSON, one row at a time.

Every format gives the same thing: the header checked against the columns of
the open-data ``events.csv``, then each row as ``Row(line, values)``, where
``line`` is what a person finds in the file: the line, the header being
line 1 (for XLSX, the sheet's row number), or for JSON the object's place in
the array, counted from 1 (``PLACE`` names which). Rows are
read lazily, so a file of any length costs the memory of one row.

Anything that makes the file unreadable raises ``FileRefused`` with the line
and what to do about it. Formats:

- CSV: UTF-8, with or without a byte-order mark. Another encoding is refused
  at the first line that is not UTF-8, rather than guessed.
- XLSX: the first sheet, values as typed. A cell holding a formula is
  refused, never evaluated: its cached result may be stale or missing, and
  the person who made the file should decide what the cell says.
- JSON: an array of objects whose keys are the columns (streamed with ijson).
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from tracker.opendata.files import EVENTS, FORMULA_STARTS, LIST_SEPARATOR
from tracker.staff.intake.claims import OPTIONAL_COLUMNS

COLUMNS: tuple[str, ...] = tuple(EVENTS.header())
FORMATS = ("csv", "xlsx", "json")
PLACE = {"csv": "line", "xlsx": "line", "json": "item"}
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
ZIP_MAGIC = b"PK\x03\x04"


class FileRefused(Exception):
    """The file cannot be read as claims; ``line`` says where, when known."""

    def __init__(self, message: str, *, line: int | None = None, column: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Row:
    """One row: its cells by column, or, when it cannot be paired with the
    header, what is wrong with it as (column, message) pairs."""

    line: int
    values: dict[str, Any]
    problems: tuple[tuple[str, str], ...] = ()


def format_of(name: str, given: str | None = None) -> str:
    """The format named, or the one the file name's ending says."""
    if given:
        if given not in FORMATS:
            raise FileRefused(f"Unknown format “{given}”: use one of {', '.join(FORMATS)}.")
        return given
    ending = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ending not in FORMATS:
        raise FileRefused(
            f"Cannot tell the format of “{name}” from its name: "
            f"name it .csv, .xlsx or .json, or say which ({', '.join(FORMATS)})."
        )
    return ending


def rows(stream: IO[bytes], file_format: str) -> Iterator[Row]:
    """The file's rows after its header, in order; raises ``FileRefused``."""
    readers = {"csv": csv_rows, "xlsx": xlsx_rows, "json": json_rows}
    return readers[file_format](stream)


def count_rows(stream: IO[bytes], file_format: str) -> int | None:
    """How many rows the file holds, cheaply, for a progress bar; None when unknown."""
    if file_format != "csv":
        return None
    try:
        return sum(1 for _row in csv_rows(stream, check=False))
    except FileRefused:
        return None
    finally:
        stream.seek(0)


# The header ---------------------------------------------------------------------------


def check_header(names: list[str], *, line: int = 1, what: str = "The header") -> list[str]:
    names = [str(name).strip() if name is not None else "" for name in names]
    if names and names[0].startswith("\ufeff"):
        names[0] = names[0][1:]
    while names and names[-1] == "":
        names.pop()
    if not names:
        raise FileRefused(
            "The file has no header: its first line must name the columns of events.csv.",
            line=line,
        )
    seen: set[str] = set()
    repeated = [name for name in names if name in seen or seen.add(name)]
    missing = [name for name in COLUMNS if name not in names and name not in OPTIONAL_COLUMNS]
    extra = [name for name in names if name not in COLUMNS]
    problems = []
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if extra:
        problems.append(f"unknown {', '.join(extra)}")
    if repeated:
        problems.append(f"named twice {', '.join(dict.fromkeys(repeated))}")
    if problems:
        raise FileRefused(
            f"{what} does not have the columns of events.csv ({'; '.join(problems)}). "
            f"It must name exactly: {', '.join(COLUMNS)} (in any order; the translations "
            f"{', '.join(sorted(OPTIONAL_COLUMNS))} may be left out).",
            line=line,
        )
    return names


def unquoted(value: str) -> str:
    """A cell as written before the open-data files guarded it against spreadsheets.

    The CSV export puts a single quote before text that a spreadsheet would
    run as a formula (``'=…``, ``'-…``); reading it back takes the quote off.
    """
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def as_row(line: int, names: list[str], cells: list[Any]) -> Row | None:
    """Pair the cells with the header; None for a row with nothing in it."""
    while len(cells) > len(names) and (cells[-1] is None or cells[-1] == ""):
        cells = cells[:-1]
    if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
        return None
    if len(cells) != len(names):
        return Row(line, {}, (("", f"This row has {len(cells)} cells, the header {len(names)}."),))
    values = {}
    for name, cell in zip(names, cells, strict=True):
        values[name] = unquoted(cell.strip()) if isinstance(cell, str) else cell
    return Row(line, values)


# CSV ----------------------------------------------------------------------------------


def _decoded_lines(stream: IO[bytes]) -> Iterator[str]:
    """Each physical line as text; splitting bytes at newlines is safe in UTF-8."""
    first = stream.readline()
    if first.startswith(UTF16_BOMS):
        raise FileRefused(
            "The file is UTF-16 text; save it as UTF-8 (in Excel: “CSV UTF-8”).", line=1
        )
    if first.startswith(ZIP_MAGIC):
        raise FileRefused("This is a zipped file, perhaps a workbook: import it as XLSX.", line=1)
    if first.startswith(UTF8_BOM):
        first = first[len(UTF8_BOM) :]
    raw_lines = itertools.chain([first], iter(stream.readline, b""))
    for number, raw in enumerate(raw_lines, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRefused(
                f"Line {number} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte "
                f"{exc.start + 1} of the line). Save the file as UTF-8 "
                "(in Excel: “CSV UTF-8”).",
                line=number,
            ) from exc


def csv_rows(stream: IO[bytes], *, check: bool = True) -> Iterator[Row]:
    lines = _decoded_lines(stream)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise FileRefused("The file is empty: it needs at least its header line.", line=1)
        names = check_header(header) if check else list(header)
        while True:
            start = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                return
            row = as_row(start, names, cells) if check else Row(start, {})
            if row is not None:
                yield row
    except csv.Error as exc:
        raise FileRefused(
            f"Line {reader.line_num} is not well-formed CSV: {exc}.", line=reader.line_num
        ) from exc


# XLSX ---------------------------------------------------------------------------------


def formula_problem(cell) -> str:
    return (
        f"The cell holds a formula ({str(cell.value)[:40]}); formulas are not evaluated. "
        "Replace it with its value (copy, then paste values only)."
    )


def _xlsx_value(cell) -> Any:
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def xlsx_rows(stream: IO[bytes]) -> Iterator[Row]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused(f"The file is not an XLSX workbook ({exc}).", line=1) from exc
    try:
        sheet = workbook.worksheets[0]
        names: list[str] | None = None
        for line, cells in enumerate(sheet.iter_rows(), start=sheet.min_row or 1):
            if names is None:
                header = [_xlsx_value(cell) for cell in cells]
                if all(value in (None, "") for value in header):
                    continue
                if any(cell.data_type == "f" for cell in cells):
                    raise FileRefused("The header holds a formula; type the names.", line=line)
                names = check_header(header, line=line)
                continue
            formulas = tuple(
                (names[i] if i < len(names) else "", formula_problem(cell))
                for i, cell in enumerate(cells)
                if cell.data_type == "f"
            )
            if formulas:
                yield Row(line, {}, formulas)
                continue
            row = as_row(line, names, [_xlsx_value(cell) for cell in cells])
            if row is not None:
                yield row
        if names is None:
            raise FileRefused("The first sheet is empty: it needs at least its header row.", line=1)
    finally:
        workbook.close()


# JSON ---------------------------------------------------------------------------------


def json_rows(stream: IO[bytes]) -> Iterator[Row]:
    import ijson

    position = stream.tell()
    if stream.read(3) != UTF8_BOM:
        stream.seek(position)
    names = list(COLUMNS)
    number = 0
    try:
        events = ijson.parse(stream, use_float=True)
        prefix, event, _value = next(events, ("", None, None))
        if event != "start_array":
            raise FileRefused(
                "The file must be a JSON array of objects, one per claim, "
                "whose keys are the columns of events.csv."
            )
        for item in ijson.items(events, "item"):
            number += 1
            if not isinstance(item, dict):
                yield Row(number, {}, (("", "This item is not an object."),))
                continue
            try:
                check_header(list(item), line=number, what="This object")
            except FileRefused as refused:
                yield Row(number, {}, (("", refused.message),))
                continue
            cells = [_json_value(item.get(name)) for name in names]
            row = as_row(number, names, cells)
            if row is not None:
                yield row
    except ijson.JSONError as exc:
        raise FileRefused(
            f"The file is not valid JSON after item {number}: {exc}.", line=number + 1
        ) from exc


def _json_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        # Lists (of source URLs, of quantities) may be given as arrays.
        return LIST_SEPARATOR.join(str(item) for item in value)
    return value
