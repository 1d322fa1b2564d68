"""JSON: an array of objects, streamed event by event with ijson."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from tracker.opendata.files import LIST_SEPARATOR
from tracker.staff.intake.reading.base import (
    COLUMNS,
    UTF8_BOM,
    FileRefused,
    Limits,
    Metered,
    Row,
    as_row,
    check_header,
    size,
    too_many_rows,
)

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
