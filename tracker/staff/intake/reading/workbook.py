"""XLSX: the first sheet, values as typed, the archive checked before it is opened."""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from tracker.staff.intake.reading.base import (
    COLUMNS,
    FileRefused,
    Limits,
    Metered,
    Row,
    as_row,
    check_header,
    size,
    too_many_rows,
)


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
