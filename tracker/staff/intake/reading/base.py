"""What every format of a file of claims shares: the refusal, a row, the limits, a
metered stream, and the header checked against the columns of events.csv."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings

from tracker.opendata.files import EVENTS, FORMULA_STARTS
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
        if isinstance(cell, str):
            if len(cell) > most:
                problems.append((name, too_long(len(cell), most)))
                continue
            cell = cell.strip()
            if cell[:1] == "'":  # only such a cell may need unquoting: a call saved for the rest
                cell = unquoted(cell)
        values[name] = cell
    if problems:
        return Row(line, {}, tuple(problems))
    return Row(line, values)


def too_long(length: int, most: int) -> str:
    return f"This cell holds {length:,} characters; a cell may hold {most:,} at most."
