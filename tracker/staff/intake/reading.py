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
"""

from __future__ import annotations

import codecs
import csv
import itertools
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings

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


@dataclass(frozen=True)
class Limits:
    """How much of anything a file may hold; settings named ``INTAKE_MAX_…`` change them."""

    file_bytes: int = 200 * 2**20
    rows: int = 500_000
    # A row's bytes as written: a CSV record, a sheet's <row>, a JSON object.
    row_bytes: int = 256 * 2**10
    cell_characters: int = 20_000
    # The largest id a database keeps has 19 digits.
    number_digits: int = 19
    # A workbook's parts, unpacked: in all, and how much smaller each may have been packed.
    unpacked_bytes: int = 512 * 2**20
    packing_ratio: int = 100
    # Below this, a part may be packed as tightly as it likes (an empty sheet packs 1:50).
    small_part_bytes: int = 2**20

    @classmethod
    def from_settings(cls) -> Limits:
        names = {
            "file_bytes": "INTAKE_MAX_FILE_BYTES",
            "rows": "INTAKE_MAX_ROWS",
            "row_bytes": "INTAKE_MAX_ROW_BYTES",
            "cell_characters": "INTAKE_MAX_CELL_CHARACTERS",
            "unpacked_bytes": "INTAKE_MAX_UNPACKED_BYTES",
        }
        given = {
            key: getattr(settings, name) for key, name in names.items() if hasattr(settings, name)
        }
        return cls(**given)


def size(count: int) -> str:
    """A number of bytes as a person reads it."""
    if count >= 2**20:
        return f"{count / 2**20:.0f} MB"
    return f"{count / 2**10:.0f} KB"


class Metered:
    """A binary stream that counts what is read from it, and stops at the limits.

    ``total`` is held to ``limit`` (the file's size); what is read since the
    last ``mark()`` to ``budget`` (one row's), with ``over_budget()`` saying
    what to tell the person. Parsers that read for themselves (the JSON and
    XML parsers) are stopped mid-token this way, before they build it.
    """

    def __init__(self, stream: IO[bytes], *, limit: int, budget: int, over_budget=None):
        self.stream = stream
        self.limit = limit
        self.budget = budget
        self.over_budget = over_budget
        self.total = 0
        self.since_mark = 0

    def mark(self) -> None:
        self.since_mark = 0

    def _counted(self, data: bytes) -> bytes:
        self.total += len(data)
        self.since_mark += len(data)
        if self.total > self.limit:
            raise FileRefused(
                f"The file is larger than {size(self.limit)}, the most an import takes: "
                "split it into smaller files."
            )
        if self.over_budget is not None and self.since_mark > self.budget:
            raise self.over_budget()
        return data

    def read(self, count: int = -1) -> bytes:
        if count is None or count < 0:
            count = self.limit + 1 - self.total
        return self._counted(self.stream.read(count))

    def readline(self, count: int = -1) -> bytes:
        return self._counted(self.stream.readline(count))

    def tell(self) -> int:
        return self.stream.tell()

    def seek(self, *args) -> int:
        return self.stream.seek(*args)


def too_many_rows(limits: Limits) -> FileRefused:
    return FileRefused(
        f"The file holds more than {limits.rows:,} rows, the most an import takes: "
        "split it into smaller files.",
        line=None,
    )


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
            f"It must name exactly: {', '.join(COLUMNS)} (in any order; the columns "
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


def as_row(
    line: int, names: list[str], cells: list[Any], limits: Limits | None = None
) -> Row | None:
    """Pair the cells with the header; None for a row with nothing in it."""
    while len(cells) > len(names) and (cells[-1] is None or cells[-1] == ""):
        cells = cells[:-1]
    if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
        return None
    if len(cells) != len(names):
        return Row(line, {}, (("", f"This row has {len(cells)} cells, the header {len(names)}."),))
    most = (limits or Limits()).cell_characters
    values, problems = {}, []
    for name, cell in zip(names, cells, strict=True):
        if isinstance(cell, str) and len(cell) > most:
            problems.append((name, too_long(len(cell), most)))
            continue
        values[name] = unquoted(cell.strip()) if isinstance(cell, str) else cell
    if problems:
        return Row(line, {}, tuple(problems))
    return Row(line, values)


def too_long(length: int, most: int) -> str:
    return f"This cell holds {length:,} characters; a cell may hold {most:,} at most."


# CSV ----------------------------------------------------------------------------------


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


# XLSX ---------------------------------------------------------------------------------


def formula_problem(value) -> str:
    return (
        f"The cell holds a formula ({str(value)[:40]}); formulas are not evaluated. "
        "Replace it with its value (copy, then paste values only)."
    )


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def check_archive(stream: IO[bytes], limits: Limits) -> None:
    """Refuse a workbook that would unpack to more than the limits, before unpacking it.

    What each part unpacks to is read from the archive's directory; should a
    part hold more than it declares, Python's zipfile stops at the declared
    size and refuses the part (its checksum fails), so the declaration binds.
    """
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(f"The file is not an XLSX workbook ({exc}).", line=1) from exc
    finally:
        stream.seek(0)
    unpacked = 0
    for part in parts:
        unpacked += part.file_size
        squeezed = part.file_size / max(part.compress_size, 1)
        if part.file_size > limits.small_part_bytes and squeezed > limits.packing_ratio:
            raise FileRefused(
                f"The workbook's part {part.filename[:80]} unpacks {squeezed:,.0f} times larger "
                f"than it is packed (at most {limits.packing_ratio} times is taken): this is "
                "not a spreadsheet as a spreadsheet program saves one. Save it again, or "
                "export it as CSV.",
                line=1,
            )
        if unpacked > limits.unpacked_bytes:
            raise FileRefused(
                f"The workbook unpacks to more than {size(limits.unpacked_bytes)}, the most "
                "an import takes: split it, or export it as CSV.",
                line=1,
            )


class CellProblem(str):
    """A cell that could not be read, in place of its value: what is wrong with it."""


def _sheet_parser():
    from openpyxl.utils import coordinate_to_tuple
    from openpyxl.worksheet._reader import VALUE_TAG, WorkSheetParser

    class SheetParser(WorkSheetParser):
        """openpyxl's reading of a sheet's cells, with a cell it cannot read named, not raised."""

        number_digits = 19

        def parse_cell(self, element):
            text = element.findtext(VALUE_TAG) or ""
            kind = element.get("t", "n")
            try:
                if kind == "n" and len(text.lstrip("+-")) > self.number_digits + 8:
                    raise ValueError("too long")
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    return super().parse_cell(element)
            except (ValueError, OverflowError, IndexError, TypeError, UserWarning):
                try:
                    column = coordinate_to_tuple(element.get("r"))[1]
                except (TypeError, ValueError, AttributeError):
                    column = self.col_counter + 1
                self.col_counter = column
                message = (
                    f"This number is too long; numbers here have at most {self.number_digits} "
                    "digits."
                    if kind == "n" and len(text) > 12
                    else f"This cell cannot be read ({text[:40]!r} as {kind})."
                )
                return {"column": column, "value": CellProblem(message), "data_type": "x"}

    return SheetParser


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    try:
        return get_column_letter(index)
    except ValueError:
        return str(index)


def _sheet_rows(source, parser) -> Iterator[tuple[int, list[dict]]]:
    """Each <row> of a sheet as openpyxl reads its cells, with nothing kept behind.

    Only start and end events are used: each row is dropped from the tree
    once read, and every other element once ended, so the tree never holds
    more than the row being read.
    """
    from openpyxl.worksheet._reader import ROW_TAG
    from openpyxl.xml.functions import iterparse

    path: list = []
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            path.append(element)
            continue
        path.pop()
        parent = path[-1] if path else None
        if element.tag == ROW_TAG:
            yield parser.parse_row(element)
            parser.row_dimensions.clear()
        if parent is not None and len(path) <= 2:
            # A row, or anything outside the rows' cells: done with, let go.
            element.clear()
            parent.remove(element)


def xlsx_rows(stream: IO[bytes], limits: Limits) -> Iterator[Row]:
    from openpyxl import load_workbook

    check_archive(stream, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(stream, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        detail = str(exc).split("\n", 1)[0].rstrip(".")
        raise FileRefused(f"The file is not an XLSX workbook ({detail}).", line=1) from exc
    try:
        if not workbook.worksheets:
            raise FileRefused("The workbook has no sheet of cells.", line=1)
        sheet = workbook.worksheets[0]
        line = 1

        def over_budget() -> FileRefused:
            return FileRefused(
                f"The row after line {line} is larger than {size(limits.row_bytes)}, the most "
                "a row may take.",
                line=line + 1,
            )

        source = Metered(
            sheet._get_source(),
            limit=limits.unpacked_bytes,
            budget=limits.row_bytes,
            over_budget=over_budget,
        )
        parser = _sheet_parser()(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        parser.number_digits = limits.number_digits
        yield from _xlsx_sheet(_sheet_rows(source, parser), source, limits)
    except (SyntaxError, ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        # defusedxml's refusals (entities, DTDs) and damaged XML are SyntaxErrors.
        raise FileRefused(f"The workbook's sheet cannot be read ({exc}).", line=None) from exc
    finally:
        workbook.close()


def _xlsx_sheet(sheet_rows, source: Metered, limits: Limits) -> Iterator[Row]:
    names: list[str] | None = None
    count = 0
    for line, cells in sheet_rows:
        source.mark()
        if names is None:
            header = [None] * max((cell["column"] for cell in cells), default=0)
            if len(header) > len(COLUMNS) * 4:
                raise FileRefused("The header row is far wider than the columns.", line=line)
            for cell in cells:
                header[cell["column"] - 1] = _xlsx_value(cell["value"])
            if all(value in (None, "") for value in header):
                continue
            if any(cell["data_type"] in ("f", "x") for cell in cells):
                raise FileRefused("The header holds a formula; type the names.", line=line)
            names = check_header(header, line=line)
            continue
        row = _xlsx_row(line, names, cells, limits)
        if row is not None:
            count += 1
            if count > limits.rows:
                raise too_many_rows(limits)
            yield row
    if names is None:
        raise FileRefused("The first sheet is empty: it needs at least its header row.", line=1)


def _xlsx_row(line: int, names: list[str], cells: list[dict], limits: Limits) -> Row | None:
    """One row's cells by column, never padded past the header whatever the sheet declares."""
    width = len(names)
    values: list[Any] = [None] * width
    problems = []
    for cell in cells:
        index, value = cell["column"] - 1, cell["value"]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        name = names[index] if 0 <= index < width else ""
        if cell["data_type"] == "f":
            problems.append((name, formula_problem(value)))
        elif cell["data_type"] == "x":
            problems.append((name, str(value)))
        elif cell["data_type"] == "e":
            problems.append((name, f"The cell holds an error ({value}); give its value."))
        elif not name:
            problems.append(
                ("", f"Column {_column_letter(index + 1)} has a value, but no name in the header.")
            )
        else:
            values[index] = _xlsx_value(value)
    if problems:
        return Row(line, {}, tuple(problems))
    return as_row(line, names, values, limits)


# JSON ---------------------------------------------------------------------------------

SCALARS = {"string", "number", "boolean", "null"}


def json_rows(stream: IO[bytes], limits: Limits) -> Iterator[Row]:
    """Each object of the top array, built from ijson's events with every limit checked.

    Nothing deeper than a list of values is built: a nested array or object
    is skipped event by event (and named), so a file of brackets costs no
    memory. No object is read past ``limits.row_bytes``.
    """
    import ijson

    position = stream.tell()
    if stream.read(3) != UTF8_BOM:
        stream.seek(position)
    number = 0
    column = ""

    def over_budget() -> FileRefused:
        return FileRefused(
            f"Item {number} is larger than {size(limits.row_bytes)}, the most a claim may take.",
            line=number,
        )

    source = Metered(
        stream, limit=limits.file_bytes, budget=limits.row_bytes, over_budget=over_budget
    )
    # basic_parse, not parse: parse's prefixes grow with the depth, a square of it in all.
    events = ijson.basic_parse(source, use_float=True)
    try:
        event, _value = next(events, (None, None))
        if event != "start_array":
            raise FileRefused(
                "The file must be a JSON array of objects, one per claim, "
                "whose keys are the columns of events.csv.",
                line=1,
            )
        for event, value in events:
            if event == "end_array":
                break
            source.mark()
            number += 1
            if number > limits.rows:
                raise too_many_rows(limits)
            if event != "start_map":
                if event in ("start_array",):
                    _skip(events)
                yield Row(number, {}, (("", "This item is not an object."),))
                continue
            item: dict[str, Any] = {}
            problems: list[tuple[str, str]] = []
            for event, value in events:
                if event == "end_map":
                    break
                column = value  # a map_key
                item[column], problem = _json_cell(events, limits)
                if problem:
                    problems.append((column if column in COLUMNS else "", problem))
            column = ""
            yield _json_row(number, item, problems, limits)
        for _event in events:
            raise FileRefused(f"The file goes on after its array ends (item {number}).")
    except ijson.JSONError as exc:
        detail = str(exc).split("\n", 1)[0]
        if "overflow" in detail:
            raise FileRefused(
                f"A number too large to read: numbers here have at most "
                f"{limits.number_digits} digits.",
                line=number,
                column=column if column in COLUMNS else "",
            ) from exc
        raise FileRefused(
            f"The file is not valid JSON after item {number}: {detail}.", line=number + 1
        ) from exc


def _skip(events) -> None:
    """Read past one array or object already begun, building nothing."""
    depth = 1
    for event, _value in events:
        if event in ("start_array", "start_map"):
            depth += 1
        elif event in ("end_array", "end_map"):
            depth -= 1
            if depth == 0:
                return


NESTED = "Give text, a number or a list of them here, not a list of lists or an object."


def _json_cell(events, limits: Limits) -> tuple[Any, str]:
    """One value of an object: a scalar, or a list of scalars; what is wrong with it."""
    event, value = next(events)
    if event in SCALARS:
        return value, ""
    if event == "start_map":
        _skip(events)
        return None, NESTED
    listed, problem = [], ""
    for event, value in events:
        if event == "end_array":
            break
        if event in ("start_array", "start_map"):
            _skip(events)
            problem = NESTED
        else:
            listed.append(value)
    return listed, problem


def _json_row(number: int, item: dict, problems: list, limits: Limits) -> Row:
    try:
        check_header(list(item), line=number, what="This object")
    except FileRefused as refused:
        return Row(number, {}, (("", refused.message), *problems))
    if problems:
        return Row(number, {}, tuple(problems))
    cells = [_json_value(item.get(name)) for name in COLUMNS]
    return as_row(number, list(COLUMNS), cells, limits) or Row(number, {}, ())


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
        return LIST_SEPARATOR.join(str(_json_value(item)) for item in value)
    return value
