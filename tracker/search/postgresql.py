"""Search on PostgreSQL: a table of stored tsvectors beside each searchable table, kept by triggers.

``tracker_search_<kind>`` holds one row per record: its id and a tsvector of
its texts in every language, title words weighted A and the rest B, under
the ``simple`` configuration (lowercased words, no stemming: Ukrainian has
no stemmer of its own, and one rule for three languages finds the same
records as SQLite does). A GIN index covers the vectors. A trigger on the
record's table writes the row in the same transaction as every insert,
delete or change of an indexed text, whoever makes it; another empties the
search table when its record table is truncated.

The vectors are stored rather than computed in an index expression because
the newest-first walk below reads them for every row it looks at: computing
a vector costs some 25 µs a row, reading one about 1 µs.

Words are matched as prefixes (``'energ':*``). PostgreSQL does not know how
common a prefix is, so it cannot choose well between walking the newest rows
and asking the GIN index; ``newest`` makes that choice itself, from what the
newest rows showed, so a common word and a rare one both stay cheap.
"""

from __future__ import annotations

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import BooleanField, F, Func, Value
from django.db.models.functions import Greatest

from tracker.search.documents import DOCUMENTS, Document
from tracker.search.words import is_beginning

CONFIG = "simple"
WINDOW = 4000


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def vector_sql(document: Document, row: str) -> str:
    """The tsvector of ``row``'s texts (``NEW`` in the trigger, the table in a rebuild)."""

    def words(columns: list[str]) -> str:
        joined = " || ' ' || ".join(f"coalesce({row}.{_quote(c)}::text, '')" for c in columns)
        return f"to_tsvector('{CONFIG}'::regconfig, {joined})"

    vector = f"setweight({words(document.title_columns)}, 'A')"
    if document.body_columns:
        vector += f" || setweight({words(document.body_columns)}, 'B')"
    return vector


def _names(document: Document) -> dict[str, str]:
    name = document.search_table
    return {
        "table": _quote(name),
        "index": _quote(f"{name}_words"),
        "keep": _quote(f"{name}_keep"),
        "empty": _quote(f"{name}_empty"),
        "record_table": _quote(document.table),
    }


def keep_body(document: Document) -> str:
    """The trigger function's body: write or remove the record's row in the search table."""
    table = _names(document)["table"]
    return (
        "\nBEGIN\n"
        "    IF TG_OP = 'DELETE' THEN\n"
        f"        DELETE FROM {table} WHERE id = OLD.id;\n"
        "        RETURN NULL;\n"
        "    END IF;\n"
        f"    INSERT INTO {table} (id, document) VALUES (NEW.id, {vector_sql(document, 'NEW')})\n"
        "        ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document;\n"
        "    RETURN NULL;\n"
        "END\n"
    )


def is_current(cursor, document: Document) -> bool:
    """Whether the search table, its index, function and triggers are as ``document`` says."""
    names = _names(document)
    cursor.execute(
        "SELECT prosrc FROM pg_proc WHERE proname = %s", [f"{document.search_table}_keep"]
    )
    row = cursor.fetchone()
    if row is None or row[0] != keep_body(document):
        return False
    cursor.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgname IN (%s, %s) AND NOT tgisinternal",
        [f"{document.search_table}_keep", f"{document.search_table}_empty"],
    )
    triggers = cursor.fetchone()[0]
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [names["index"]])
    return triggers == 2 and cursor.fetchone()[0]


def build(cursor, document: Document) -> None:
    """Create the search table, its index, function and triggers afresh, and fill the table."""
    names = _names(document)
    drop(cursor, document)
    columns = ", ".join(_quote(c) for c in document.columns)
    cursor.execute(f"CREATE TABLE {names['table']} (id bigint PRIMARY KEY, document tsvector)")
    cursor.execute(
        f"CREATE FUNCTION {names['keep']}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $body${keep_body(document)}$body$"
    )
    cursor.execute(
        f"CREATE FUNCTION {names['empty']}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $body$ BEGIN TRUNCATE {names['table']}; RETURN NULL; END $body$"
    )
    cursor.execute(
        f"CREATE TRIGGER {names['keep']} AFTER INSERT OR DELETE OR UPDATE OF {columns} "
        f"ON {names['record_table']} FOR EACH ROW EXECUTE FUNCTION {names['keep']}()"
    )
    cursor.execute(
        f"CREATE TRIGGER {names['empty']} AFTER TRUNCATE ON {names['record_table']} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {names['empty']}()"
    )
    cursor.execute(
        f"INSERT INTO {names['table']} (id, document) "
        f"SELECT id, {vector_sql(document, names['record_table'])} FROM {names['record_table']}"
    )
    cursor.execute(f"CREATE INDEX {names['index']} ON {names['table']} USING gin (document)")
    cursor.execute(f"ANALYZE {names['table']}")


def drop(cursor, document: Document) -> None:
    names = _names(document)
    for trigger in ("keep", "empty"):
        cursor.execute(f"DROP TRIGGER IF EXISTS {names[trigger]} ON {names['record_table']}")
        cursor.execute(f"DROP FUNCTION IF EXISTS {names[trigger]}()")
    cursor.execute(f"DROP TABLE IF EXISTS {names['table']}")


def optimize(cursor, document: Document) -> None:
    """Fold the GIN index's pending entries in and refresh the planner's statistics."""
    cursor.execute(f"VACUUM ANALYZE {_names(document)['table']}")


def tsquery(words: tuple[str, ...]) -> str:
    """A tsquery finding the rows where each word begins a word: ``'energ':* & 'pause':*``.

    Each word is a quoted lexeme, so nothing in it is syntax; the words hold
    letters and digits only, and quotes and backslashes would be escaped all
    the same. It is passed to ``to_tsquery`` as a parameter, never spliced in.
    """
    quoted = (
        "'" + w.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if is_beginning(w) else "")
        for w in words
    )
    return " & ".join(quoted)


def newest(cursor, document: Document, words, limit: int, before: int | None = None, kept=None):
    """The ids of up to ``limit`` rows matching every word, newest (highest id) first.

    First the newest ``WINDOW`` rows are read, newest first, and their stored
    vectors tested: cheap whatever the words, and enough when they are
    common. When they are not, what the window showed says how common they
    are, and the rest is either walked on, when the words are common enough
    to fill the list soon, or asked of the GIN index, when matches are few
    enough to read all of them. Either costs about as many rows as the
    square root of the table's size times ``limit``, however the words are
    spread.

    ``kept`` (see ``tracker.search.Kept``) keeps only the rows its records
    hold: rows it leaves out neither fill the list nor count as matches. The
    walk asks it of each match in turn, newest first, and stops at the limit;
    the index's matches are all found first (a materialised step, so the
    planner chooses the index as it would without it) and then asked.
    """
    table = _names(document)["table"]
    found: list[int] = []
    window = WINDOW
    query = tsquery(words)
    condition, condition_params = kept("matches.id") if kept else ("TRUE", ())
    while len(found) < limit:
        below = "WHERE id < %s" if before is not None else ""
        after = [before] if before is not None else []
        cursor.execute(
            f"SELECT id FROM "
            f"(SELECT id, document FROM {table} {below} ORDER BY id DESC LIMIT %s) matches, "
            f"to_tsquery('{CONFIG}', %s) query WHERE document @@ query AND {condition} "
            f"ORDER BY id DESC LIMIT %s",
            [*after, window, query, *condition_params, limit - len(found)],
        )
        rows = [pk for (pk,) in cursor.fetchall()]
        found += rows
        if len(found) >= limit:
            break
        cursor.execute(
            f"SELECT min(id), count(*) FROM "
            f"(SELECT id FROM {table} {below} ORDER BY id DESC LIMIT %s) recent",
            [*after, window],
        )
        lowest, walked = cursor.fetchone()
        if walked < window:
            break  # the walk reached the oldest row
        before = lowest
        # Ids are given in order and rarely skipped: their span tells how many rows are left.
        cursor.execute(f"SELECT min(id) FROM {table}")
        left = before - cursor.fetchone()[0]
        share = len(rows) / walked
        needed = limit - len(found)
        if share and needed / share < share * left:
            window = min(int(2 * needed / share), left)
            continue
        # Few matches are left by the look of it: read them all through the index.
        cursor.execute(
            f"WITH matches AS MATERIALIZED (SELECT id FROM {table}, "
            f"to_tsquery('{CONFIG}', %s) query WHERE document @@ query AND id < %s) "
            f"SELECT id FROM matches WHERE {condition}",
            [query, before, *condition_params],
        )
        found += sorted((pk for (pk,) in cursor.fetchall()), reverse=True)[:needed]
        break
    return found


# Names that are spelt a little differently ---------------------------------------------


class WordSimilar(Func):
    """``column %> text`` (pg_trgm): the text is close to a run of the column's words.

    Finds "Zaporizhia" in "Zaporizhzhia" and "Rusia" in "Russia"; the
    trigram index on the names answers it.
    """

    template = "%(expressions)s"
    arg_joiner = " %%> "
    output_field = BooleanField()


# The kinds whose titles are names, looked up by trigrams too.
NAMED = ("commitment", "agreement", "party")


def _trigram_index(document: Document) -> tuple[str, str]:
    """The trigram index over ``document``'s titles: its name and its columns as pg_indexes says."""
    columns = ", ".join(f"{c} gin_trgm_ops" for c in document.title_columns)
    return f"{document.search_table}_names", columns


def ensure_trigram_indexes(cursor) -> None:
    for kind in NAMED:
        document = DOCUMENTS[kind]
        name, columns = _trigram_index(document)
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        row = cursor.fetchone()
        if row is not None and row[0].endswith(f"USING gin ({columns})"):
            continue
        cursor.execute(f"DROP INDEX IF EXISTS {_quote(name)}")
        cursor.execute(
            f"CREATE INDEX {_quote(name)} ON {_quote(document.table)} USING gin ({columns})"
        )


def drop_trigram_indexes(cursor) -> None:
    for kind in NAMED:
        name, _columns = _trigram_index(DOCUMENTS[kind])
        cursor.execute(f"DROP INDEX IF EXISTS {_quote(name)}")


def similar_names(queryset, document: Document, text: str, limit: int):
    """(id, similarity) of the records in ``queryset`` whose names are close to ``text``."""
    columns = document.title_columns
    close = WordSimilar(F(columns[0]), Value(text))
    for column in columns[1:]:
        close = close | WordSimilar(F(column), Value(text))
    similarity = Greatest(*(TrigramWordSimilarity(Value(text), column) for column in columns))
    return list(
        queryset.filter(close)
        .annotate(similarity=similarity)
        .order_by("-similarity", "-pk")
        .values_list("pk", "similarity")[:limit]
    )
