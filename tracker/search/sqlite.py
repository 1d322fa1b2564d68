"""Search on SQLite: an FTS5 index beside each searchable table, kept by triggers.

Each search table is an FTS5 table with *external content*: it indexes the
words of the record's own columns and stores no copy of them. Three
triggers on the record's table keep it in step (insert, delete, and an
update of an indexed column), in the same transaction as the change,
whoever makes it: the services, the admin, a fixture, the bench's raw
inserts. FTS5 reads a match's rowids newest first straight from its index
and stops at the limit, so the newest matches cost about the same however
common the words are.

The tokenizer is unicode61 without removing diacritics: words are cut at
anything that is not a letter or a digit and lowercased in every script,
as PostgreSQL's ``simple`` configuration does, so both find the same records.
"""

from __future__ import annotations

from tracker.search.documents import Document
from tracker.search.words import is_beginning

TOKENIZER = "unicode61 remove_diacritics 0"
# FTS5 keeps the beginnings of words of these lengths in its index, so that
# asking for a common word's beginning reads its newest rows and stops, as for
# a whole word; longer beginnings are looked up among the words they begin.
# The index is some 70% larger for it.
PREFIXES = "2 3 4 5 6 7 8"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def index_sql(document: Document) -> str:
    columns = ", ".join(_quote(c) for c in document.columns)
    return (
        f"CREATE VIRTUAL TABLE {_quote(document.search_table)} USING fts5({columns}, "
        f"content={_quote(document.table)}, content_rowid='id', "
        f"tokenize='{TOKENIZER}', prefix='{PREFIXES}')"
    )


def trigger_sql(document: Document) -> dict[str, str]:
    """The three triggers that keep ``document``'s index in step with its table, by name."""
    index, table = _quote(document.search_table), _quote(document.table)
    columns = ", ".join(_quote(c) for c in document.columns)
    new = ", ".join(f"new.{_quote(c)}" for c in document.columns)
    old = ", ".join(f"old.{_quote(c)}" for c in document.columns)
    add = f"INSERT INTO {index}(rowid, {columns}) VALUES (new.id, {new});"
    # External content: FTS5 removes a row's words given the values it indexed.
    remove = f"INSERT INTO {index}({index}, rowid, {columns}) VALUES ('delete', old.id, {old});"
    name = document.search_table
    return {
        f"{name}_added": f"CREATE TRIGGER {_quote(name + '_added')} AFTER INSERT ON {table} "
        f"BEGIN {add} END",
        f"{name}_removed": f"CREATE TRIGGER {_quote(name + '_removed')} AFTER DELETE ON {table} "
        f"BEGIN {remove} END",
        f"{name}_changed": f"CREATE TRIGGER {_quote(name + '_changed')} AFTER UPDATE OF {columns} "
        f"ON {table} BEGIN {remove} {add} END",
    }


def is_current(cursor, document: Document) -> bool:
    """Whether the index and its triggers exist exactly as ``document`` describes them.

    A table SQLite rebuilt for a later migration loses its triggers; an
    index whose columns changed no longer matches: either is built again.
    """
    wanted = {document.search_table: index_sql(document), **trigger_sql(document)}
    names = ", ".join(["%s"] * len(wanted))
    cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE name IN ({names})", list(wanted))
    return dict(cursor.fetchall()) == wanted


def build(cursor, document: Document) -> None:
    """Create the index and its triggers afresh, and index every row the table holds."""
    drop(cursor, document)
    cursor.execute(index_sql(document))
    for sql in trigger_sql(document).values():
        cursor.execute(sql)
    index = _quote(document.search_table)
    cursor.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")
    optimize(cursor, document)


def drop(cursor, document: Document) -> None:
    for name in trigger_sql(document):
        cursor.execute(f"DROP TRIGGER IF EXISTS {_quote(name)}")
    cursor.execute(f"DROP TABLE IF EXISTS {_quote(document.search_table)}")


def optimize(cursor, document: Document) -> None:
    """Merge the index into one segment: after many rows were written at once."""
    index = _quote(document.search_table)
    cursor.execute(f"INSERT INTO {index}({index}) VALUES ('optimize')")


def match_expression(words: tuple[str, ...]) -> str:
    """An FTS5 query finding the rows where each word begins a word: ``"energ"* "pause"*``.

    Each word is an FTS5 string, so nothing in it is syntax; the words hold
    letters and digits only, and a quote would be doubled all the same.
    """
    return " ".join(
        '"' + word.replace('"', '""') + '"' + ("*" if is_beginning(word) else "") for word in words
    )


def newest(cursor, document: Document, words, limit: int, before: int | None = None, kept=None):
    """The ids of up to ``limit`` rows matching every word, newest (highest id) first.

    ``kept`` (see ``tracker.search.Kept``) keeps only the rows its records
    hold, so rows it leaves out neither fill the list nor count.
    No rank is asked for: bm25 counts every row holding each word to weigh
    it, which would cost as much as the words are common.
    """
    index = _quote(document.search_table)
    below = "AND rowid < %s" if before is not None else ""
    condition, condition_params = kept(f"{index}.rowid") if kept else ("", [])
    also = f"AND {condition}" if condition else ""
    cursor.execute(
        f"SELECT rowid FROM {index} WHERE {index} MATCH %s {below} {also} "
        f"ORDER BY rowid DESC LIMIT %s",
        [
            match_expression(words),
            *([before] if before is not None else []),
            *condition_params,
            limit,
        ],
    )
    return [pk for (pk,) in cursor.fetchall()]
