"""Writing one alert for every subscription a query selects, in one statement.

A commitment that collapses or expires owes an alert to everyone who follows
it: a hundred readers or a hundred thousand. Reading them into Python and
writing the rows back costs a round trip per batch and a model object per
alert; ``INSERT … SELECT`` lets the database copy them in one statement,
whatever their number. ``ON CONFLICT DO NOTHING`` keeps the outbox's unique
key the judge of exactly-once: an alert already derived, by this sweep or by
another worker's at the same moment, is left as it is.

On PostgreSQL, a statement that writes many alerts at once is followed, once
committed, by ``ANALYZE`` of the outbox. Workers start claiming the new alerts
at once, and the planner chooses how to read the outbox by its statistics:
from an outbox it last saw holding few alerts waiting, it reads and sorts
every waiting alert for each batch claimed (73 ms a batch at 100,000, against
6 ms along the index), until autovacuum next looks, which may be minutes, or
never if the table is large enough that the new rows stay under its threshold.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection, models, transaction
from django.db.models import Func, Value

from tracker.alerts.models import Delivery

# Alerts written by one statement from which the outbox's statistics are gathered again.
ANALYZE_AFTER = 10_000

logger = logging.getLogger(__name__)


class RandomUUID(Func):
    """A new random UUID for each row, made by the database."""

    output_field = models.UUIDField()

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL 13 and later
        return "gen_random_uuid()", []

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps UUIDs in SQLite as 32 hexadecimal digits; these are version 4's.
        return (
            "lower(hex(randomblob(4)) || hex(randomblob(2)) || '4' || substr(hex(randomblob(2)), 2)"
            " || substr('89ab', 1 + (random() & 3), 1) || substr(hex(randomblob(2)), 2)"
            " || hex(randomblob(6)))",
            [],
        )


def row_values(fields: dict) -> dict:
    """Every column of a new alert: what ``fields`` says, else the model's default."""
    values = {}
    for field in Delivery._meta.concrete_fields:
        if field.primary_key or field.name == "subscription":
            continue
        name = field.attname if field.is_relation else field.name
        given = fields.get(field.name, fields.get(name, field.get_default()))
        if field.name == "delivery_id":
            values[name] = RandomUUID()
        elif hasattr(given, "resolve_expression"):
            values[name] = given
        else:
            if isinstance(given, models.Model):
                given = given.pk
            target = field.target_field if field.is_relation else field
            values[name] = Value(given, output_field=target)
    return values


def insert_for_each(subscriptions, **fields) -> int:
    """Queue one alert (``fields``) for each of ``subscriptions``; returns how many are new.

    ``fields`` are the alert's values, the same for every row, or expressions
    on the subscription (``is_late`` may depend on when it was confirmed).
    """
    values = row_values(fields)
    aliases = {f"alert_{name}": expression for name, expression in values.items()}
    selected = subscriptions.order_by().annotate(**aliases).values_list("pk", *aliases)
    select_sql, params = selected.query.sql_with_params()
    table = connection.ops.quote_name(Delivery._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ["subscription_id", *values])
    # SQLite reads ON CONFLICT after a SELECT only when the SELECT has a WHERE clause.
    if " WHERE " not in select_sql:
        select_sql += " WHERE 1 = 1"
    sql = f"INSERT INTO {table} ({columns}) {select_sql} ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
    if written >= ANALYZE_AFTER and connection.vendor == "postgresql":
        transaction.on_commit(analyze_outbox)
    return written


def analyze_outbox() -> None:
    """Gather the planner's statistics of the outbox again (PostgreSQL).

    Only ever a help: the alerts are committed already, and a failure here
    (a timeout, a lost connection) must not reach whoever wrote them, a
    reviewer's request or the sweep. Claims read slower until autovacuum does it.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Delivery._meta.db_table)}")
    except DatabaseError as exc:
        logger.warning("Could not gather the outbox's statistics again: %r", exc)
