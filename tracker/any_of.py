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
``IN`` list. As with ``IN``, a NULL in the list matches nothing, and excluding the
values keeps the rows where a column is NULL. The values are those JSON carries:
numbers, texts, and days and instants as the column stores them::

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

    def _compiled(self, compiler, connection) -> tuple[list[tuple[str, list]], list[list]]:
        """Each column's SQL and parameters, and its values as the database stores them."""
        if not self.rows:
            raise EmptyResultSet
        compiled = [compiler.compile(column) for column in self.columns]
        values = [
            [column.output_field.get_db_prep_value(value, connection) for value in values]
            for column, values in zip(self.columns, zip(*self.rows, strict=True), strict=True)
        ]
        return compiled, values

    def _written(self, compiled, membership: str, listed: list) -> tuple[str, list]:
        """``membership`` (the columns, then ``listed``) with its parameters; where a column
        may be NULL, also that it is not, so that excluding the values keeps its NULL rows
        as excluding an ``IN`` list does (``NOT (NULL IN …)`` is NULL, never true)."""
        sql = [column_sql for column_sql, _params in compiled]
        params = [param for _sql, column_params in compiled for param in column_params]
        left = sql[0] if len(sql) == 1 else "(" + ", ".join(sql) + ")"
        written, params = membership.format(left=left), [*params, *listed]
        for column, (column_sql, column_params) in zip(self.columns, compiled, strict=True):
            # The column's own field: a foreign key's, not the field it points to.
            field = getattr(column, "target", column.output_field)
            if getattr(field, "null", False):
                written += f" AND {column_sql} IS NOT NULL"
                params.extend(column_params)
        return f"({written})", params

    def as_sql(self, compiler, connection):
        """Any other database: an ``IN`` list, a placeholder per value, as Django writes it."""
        compiled, values = self._compiled(compiler, connection)
        row = "(" + ", ".join(["%s"] * len(compiled)) + ")" if len(compiled) > 1 else "%s"
        rows = ", ".join([row] * len(self.rows))
        listed = [value for prepared in zip(*values, strict=True) for value in prepared]
        return self._written(compiled, f"{{left}} IN ({rows})", listed)

    def as_sqlite(self, compiler, connection):
        compiled, values = self._compiled(compiler, connection)
        if len(compiled) == 1:
            listed = json.dumps(values[0])
            return self._written(compiled, "{left} IN (SELECT value FROM json_each(%s))", [listed])
        parts = ", ".join(f"json_extract(value, '$[{index}]')" for index in range(len(compiled)))
        listed = json.dumps(list(zip(*values, strict=True)))
        return self._written(compiled, f"{{left}} IN (SELECT {parts} FROM json_each(%s))", [listed])

    def as_postgresql(self, compiler, connection):
        compiled, values = self._compiled(compiler, connection)
        if len(compiled) == 1:
            return self._written(compiled, "{left} = ANY(%s)", [values[0]])
        # Typed, so that PostgreSQL knows which ``unnest`` is meant for a list of texts too.
        arrays = ", ".join(
            f"%s::{column.output_field.cast_db_type(connection)}[]" for column in self.columns
        )
        return self._written(compiled, f"{{left}} IN (SELECT * FROM unnest({arrays}))", values)
