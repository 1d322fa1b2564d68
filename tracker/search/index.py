"""Keeping the search indexes as ``tracker.search.documents`` describes them.

The indexes are derived data, like a cache the database keeps itself: the
triggers of ``tracker.search.sqlite`` and ``tracker.search.postgresql``
change them with every change to a record. What can still go wrong happens
to the schema, not to the data: on SQLite a migration that rebuilds a table
(most ``AlterField``s do) drops that table's triggers, and a new searchable
text or language changes what an index should hold. So after every
``migrate`` (and from the migration that introduced search) ``ensure()``
checks each index against its description and builds it again, from the
records, when it differs. A table whose columns are not all there yet (a
database migrated only part of the way) gets no index until they are.
"""

from __future__ import annotations

from types import ModuleType

from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate

from tracker.search import postgresql, sqlite
from tracker.search.documents import DOCUMENTS, Document

BACKENDS: dict[str, ModuleType] = {"sqlite": sqlite, "postgresql": postgresql}
# The migration from which on the database has search indexes.
MIGRATION = ("tracker", "0014_search")


def backend(connection) -> ModuleType | None:
    return BACKENDS.get(connection.vendor)


def _has_columns(connection, cursor, document: Document) -> bool:
    if document.table not in connection.introspection.table_names(cursor):
        return False
    described = connection.introspection.get_table_description(cursor, document.table)
    return {"id", *document.columns} <= {column.name for column in described}


def ensure(using: str = "default") -> list[str]:
    """Build every index that is missing or not as described; returns the kinds built."""
    connection = connections[using]
    engine = backend(connection)
    if engine is None:
        return []
    built = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for document in DOCUMENTS.values():
            if not _has_columns(connection, cursor, document):
                engine.drop(cursor, document)
            elif not engine.is_current(cursor, document):
                engine.build(cursor, document)
                built.append(document.kind)
        if engine is postgresql:
            postgresql.ensure_trigram_indexes(cursor)
    return built


def drop_all(using: str = "default") -> None:
    connection = connections[using]
    engine = backend(connection)
    if engine is None:
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for document in DOCUMENTS.values():
            engine.drop(cursor, document)
        if engine is postgresql:
            postgresql.drop_trigram_indexes(cursor)


def optimize(using: str = "default") -> None:
    """Compact every index: after a great many rows were written at once (the bench's data)."""
    connection = connections[using]
    engine = backend(connection)
    if engine is None:
        return
    with connection.cursor() as cursor:
        for document in DOCUMENTS.values():
            engine.optimize(cursor, document)


def after_migrate(sender, app_config=None, using: str = "default", **kwargs) -> None:
    if app_config is None or app_config.name != "tracker":
        return
    if MIGRATION in MigrationRecorder(connections[using]).applied_migrations():
        ensure(using)


def connect() -> None:
    post_migrate.connect(after_migrate, dispatch_uid="search.after_migrate")
