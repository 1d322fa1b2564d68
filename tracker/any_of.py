"""Rows whose column, or columns together, hold one of a list of values, named in one parameter.

``filter(pk__in=ids)`` writes one placeholder per value, so every length of list is a
statement of its own. An import asks its look-ups once per batch of claims, each with
lists of a different length, and a connection keeps the statements it last compiled:
Python's ``sqlite3`` the last 128 of them, each with SQLite's program for hundreds of
parameters. So the longer the file, the more of that cache it filled, and a process's
memory grew with the file although nothing the import keeps did.

``AnyOf`` passes the whole list as one value: SQLite reads it with ``json_each``,
PostgreSQL as an array (``= ANY``, ``unnest`` for several columns). The statement reads
the same for any list, so each look-up is compiled once and kept once, and both
databases still find the rows along their indexes. Other databases get Django's own
``IN`` list::

    Source.objects.filter(AnyOf("url", values=urls))
    ComplianceEvent.objects.filter(AnyOf("commitment_id", "occurred_on", values=pairs))
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db.models import BooleanField, Expression, F


class AnyOf(Expression):
    """True where the columns named hold one of ``values`` (tuples when more than one column)."""

    output_field = BooleanField()

    def __init__(self, *columns: str, values: Iterable):
        if not columns:
            raise ValueError("AnyOf needs at least one column.")
        super().__init__()
        self.columns = [F(column) for column in columns]
        if len(columns) == 1:
            rows = [(value,) for value in values]
        else:
            rows = [tuple(value) for value in values]
            if any(len(row) != len(columns) for row in rows):
                raise ValueError(f"Each value must have {len(columns)} parts, one per column.")
        # As with ``IN``, a NULL is never equal to anything: such a row can match nothing.
        self.rows = list(dict.fromkeys(row for row in rows if None not in row))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.columns!r}, {len(self.rows)} values)"

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, expressions):
        self.columns = list(expressions)

    def _compiled(self, compiler, connection) -> tuple[list[str], list, list[list]]:
        """The columns' SQL and parameters, and each column's values as the database stores them."""
        if not self.rows:
            raise EmptyResultSet
        sql, params = [], []
        for column in self.columns:
            column_sql, column_params = compiler.compile(column)
            sql.append(column_sql)
            params.extend(column_params)
        values = [
            [column.output_field.get_db_prep_value(value, connection) for value in values]
            for column, values in zip(self.columns, zip(*self.rows, strict=True), strict=True)
        ]
        return sql, params, values

    def as_sql(self, compiler, connection):
        """Any other database: an ``IN`` list, a placeholder per value, as Django writes it."""
        sql, params, values = self._compiled(compiler, connection)
        row = "(" + ", ".join(["%s"] * len(sql)) + ")" if len(sql) > 1 else "%s"
        rows = ", ".join([row] * len(self.rows))
        params.extend(value for prepared in zip(*values, strict=True) for value in prepared)
        return f"{self._left(sql)} IN ({rows})", params

    def as_sqlite(self, compiler, connection):
        sql, params, values = self._compiled(compiler, connection)
        if len(sql) == 1:
            listed = json.dumps(values[0])
            return f"{sql[0]} IN (SELECT value FROM json_each(%s))", [*params, listed]
        parts = ", ".join(f"value ->> {index}" for index in range(len(sql)))
        listed = json.dumps(list(zip(*values, strict=True)))
        return (
            f"{self._left(sql)} IN (SELECT {parts} FROM json_each(%s))",
            [*params, listed],
        )

    def as_postgresql(self, compiler, connection):
        sql, params, values = self._compiled(compiler, connection)
        if len(sql) == 1:
            return f"{sql[0]} = ANY(%s)", [*params, values[0]]
        arrays = ", ".join(["%s"] * len(sql))
        return f"{self._left(sql)} IN (SELECT * FROM unnest({arrays}))", [*params, *values]

    @staticmethod
    def _left(sql: list[str]) -> str:
        return sql[0] if len(sql) == 1 else "(" + ", ".join(sql) + ")"
