"""How an open-data file is described, once, and everything made from that description.

A ``Table`` is a list of ``Column``s. Each column says its name, what it
means, where its values come from, its Table Schema type and constraints and
its HXL hashtag. From that one description come the CSV header, every row,
the optional HXL row (``?hxl=1``), the documentation on /data/ and the
file's Table Schema in ``/data/datapackage.json``: the files and what is said
about them cannot drift apart.

Rows are streamed a chunk at a time. A small table is read as records whose
columns compute from related records prefetched per chunk; a large one is
read as one values query, each column's formatter chosen once per file, so
a million rows cost the memory of one chunk.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import models
from django.db.models import QuerySet

CHUNK_SIZE = 2000
LIST_SEPARATOR = "; "  # never part of a URL, so lists of URLs split safely

# A spreadsheet runs a cell beginning with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Cells ---------------------------------------------------------------------------------


def cell(value: Any) -> str:
    """One CSV cell: instants in UTC ISO 8601 with Z, booleans as true/false, nothing as empty.

    Text that a spreadsheet would run as a formula gets a single quote in
    front, so it opens as the text it is; the JSON API gives it unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return instant_cell(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def instant_cell(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat().replace("+00:00", "Z")


def text_cell(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def plain_cell(value: Any) -> str:
    return "" if value is None else str(value)


def formatter_for(queryset: QuerySet, path: str) -> Callable[[Any], str]:
    """The formatter a column's values need, by the type of the field they come from.

    ``cell`` would do for every value, but deciding once per column instead
    of once per value is most of the cost of writing a million rows.
    """
    if path in queryset.query.annotations:
        model_field = queryset.query.annotations[path].output_field
    else:
        model = queryset.model
        *relations, name = path.split("__")
        for relation in relations:
            model = model._meta.get_field(relation).related_model
        model_field = model._meta.get_field("id" if name == "pk" else name)
    if isinstance(model_field, models.DateTimeField):
        return instant_cell
    if isinstance(model_field, models.BooleanField | models.DateField):
        return cell
    if isinstance(model_field, models.CharField | models.TextField):
        return text_cell
    return plain_cell


def joined(values) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values)


# Descriptions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a file: its name and meaning, where its values come from, and its type.

    A table read as records gives each column a ``value`` of the record; a
    table read as values gives each the ``field`` (or annotation) it reads.
    ``type`` is a Table Schema type; ``list`` columns hold several values
    separated by ``LIST_SEPARATOR``. ``enum`` lists every value the column
    may hold (an empty cell aside), ``required`` says it is never empty, and
    ``hxl`` is the column's HXL hashtag with its attributes.
    """

    name: str
    description: str
    value: Callable[[Any], Any] | None = None
    field: str | None = None
    type: str = "string"
    hxl: str = ""
    required: bool = False
    unique: bool = False
    enum: Callable[[], list[str]] | None = None
    minimum: int | None = None
    # For a table read as values, a column made from several fields: ``value`` is
    # handed the fields ``reads`` names, in order (a day from an instant, its
    # precision and its zone).
    reads: tuple[str, ...] = ()

    def schema(self) -> dict:
        """The column as a Table Schema field (Data Package v2)."""
        described: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": str(self.description),
        }
        if self.type == "boolean":
            described["trueValues"] = ["true"]
            described["falseValues"] = ["false"]
        if self.type == "list":
            described["delimiter"] = LIST_SEPARATOR
            described["itemType"] = "string"
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum is not None:
            constraints["enum"] = list(self.enum())
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if constraints:
            described["constraints"] = constraints
        if self.hxl:
            # Not a Table Schema property: the hashtag ?hxl=1 writes under this column's name.
            described["hxl"] = self.hxl
        return described


@dataclass(frozen=True)
class ForeignKey:
    """A column whose values name rows of another file (or of the same one)."""

    column: str
    table: str
    to: str


@dataclass(frozen=True)
class Table:
    """One file: what it holds, its columns, its keys, and where its rows come from.

    A file is read either as records (small tables, whose columns compute
    from related records) or as values (large ones: one query, streamed).
    ``filters`` is the filter set (``tracker.opendata.filters``) its address
    takes, the same as the API's list of the same records.
    """

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    records: Callable[[], QuerySet] | None = None
    values: Callable[[], QuerySet] | None = None
    filters: type | None = None
    primary_key: tuple[str, ...] = ("id",)
    foreign_keys: tuple[ForeignKey, ...] = ()
    rows_from: Callable[[Any], Iterator[list[list[str]]]] | None = field(default=None)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def url_name(self) -> str:
        return f"{self.name}_csv"

    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def hxl_row(self) -> list[str]:
        return [c.hxl for c in self.columns]

    def source(self) -> QuerySet:
        """Every row the file holds: what is public now.

        As of a past day (``?as_of=``), the rows come from
        ``tracker.opendata.past`` instead, as history rows; the filters and
        the writing apply to them unchanged.
        """
        return self.records() if self.records is not None else self.values()

    def row(self, record) -> list[str]:
        return [cell(c.value(record)) for c in self.columns]

    def rows(
        self, queryset: QuerySet | None = None, rebuild: Callable[[list], list] | None = None
    ) -> Iterator[list[list[str]]]:
        """The rows, a chunk at a time, in a fixed number of queries whatever their number.

        ``rebuild`` turns each chunk of history rows into the records as they
        stood then, for a file as of a past day.
        """
        if queryset is None:
            queryset = self.source()
        if self.rows_from is not None:
            yield from self.rows_from(queryset)
            return
        if self.records is not None:
            records = queryset.iterator(chunk_size=CHUNK_SIZE)
            while chunk := list(islice(records, CHUNK_SIZE)):
                if rebuild is not None:
                    chunk = rebuild(chunk)
                yield [self.row(record) for record in chunk]
            return
        if any(c.reads for c in self.columns):
            yield from self._computed_rows(queryset)
            return
        fields = [_field_of(queryset, c.field) for c in self.columns]
        # One formatter per column, chosen once per file by the type of its values.
        formatters = [formatter_for(queryset, name) for name in fields]
        rows = queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE)
        while chunk := list(islice(rows, CHUNK_SIZE)):
            yield [[f(v) for f, v in zip(formatters, row, strict=True)] for row in chunk]

    def _computed_rows(self, queryset: QuerySet) -> Iterator[list[list[str]]]:
        """The rows of a values table some of whose columns are made from several fields."""
        names = list(dict.fromkeys(n for c in self.columns for n in (c.reads or (c.field,))))
        at = {name: index for index, name in enumerate(names)}
        fields = [_field_of(queryset, name) for name in names]
        makers = []
        for column in self.columns:
            if column.reads:
                places = [at[name] for name in column.reads]
                makers.append(lambda row, p=places, v=column.value: cell(v(*(row[i] for i in p))))
            else:
                f = formatter_for(queryset, _field_of(queryset, column.field))
                makers.append(lambda row, i=at[column.field], f=f: f(row[i]))
        rows = queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE)
        while chunk := list(islice(rows, CHUNK_SIZE)):
            yield [[make(row) for make in makers] for row in chunk]

    def schema(self) -> dict:
        """The file's Table Schema (Data Package v2)."""
        described: dict[str, Any] = {
            "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
            "fields": [column.schema() for column in self.columns],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            described["foreignKeys"] = [
                {
                    "fields": [key.column],
                    "reference": {
                        **({"resource": key.table} if key.table != self.name else {}),
                        "fields": [key.to],
                    },
                }
                for key in self.foreign_keys
            ]
        return described


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    table: Table,
    queryset: QuerySet | None = None,
    *,
    hxl: bool = False,
    rebuild: Callable[[list], list] | None = None,
):
    """The file as text, a chunk of rows at a time; with ``hxl``, hashtags under the header."""
    writer = csv.writer(_Echo())
    yield writer.writerow(table.header())
    if hxl:
        yield writer.writerow(table.hxl_row())
    for chunk in table.rows(queryset, rebuild):
        yield "".join(writer.writerow(row) for row in chunk)


def _field_of(queryset: QuerySet, name: str) -> str:
    """The field a column named ``name`` reads from ``queryset``.

    A history row's pk is its version's; the record's id is its ``id``.
    """
    if name == "pk" and hasattr(queryset.model, "instance_type"):
        return "id"
    return name
