"""Search: trigram matching on PostgreSQL, and a search index beside each searchable table.

The indexes are kept by the database's own triggers (``tracker.search``).
They are built here from the records already stored, and checked again
after every later ``migrate`` (``tracker.search.index.ensure``), which
builds anew any that a later migration left out of step: on SQLite,
rebuilding a table drops its triggers. Going back removes them all.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class TrigramExtensionOnPostgreSQL(TrigramExtension):
    """pg_trgm on PostgreSQL, and nothing on SQLite either way.

    Django's operation checks the database going forwards only; going back
    on SQLite it would look for PostgreSQL's catalogue.
    """

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def build_search_indexes(apps, schema_editor):
    from tracker.search import index

    index.ensure(schema_editor.connection.alias)


def drop_search_indexes(apps, schema_editor):
    from tracker.search import index

    index.drop_all(schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ("tracker", "0013_party_claims_indexes"),
    ]

    operations = [
        TrigramExtensionOnPostgreSQL(),
        migrations.RunPython(build_search_indexes, drop_search_indexes),
    ]
