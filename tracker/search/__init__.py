"""Search: the records whose texts hold every word of a query, in any language, best first.

Who may see what is not decided here: ``find()`` keeps only what the record
sets it is given hold, and the public outputs give it those of
``tracker.public`` (``public.search()``), so search can find nothing the
pages could not show, whatever its index holds.

How it works, for each kind of record:

1. The kind's search index (``documents``, kept by the database itself, see
   ``sqlite`` and ``postgresql``) gives the newest records whose texts hold
   every word, in any language, as a word's beginning, among those the
   record set holds (``kept_by``): at most ``FIRST_LOOK``, and
   ``FURTHER_LOOK`` more when the record set kept too few of them (an API
   list's other filters, say). The index holds drafts too, but they are
   passed over as the index is read, so however many there are they never
   take the place of a public record nor count as one.
2. The record set keeps those it holds, and gives their texts: at most
   ``CANDIDATES``, the newest. On PostgreSQL, records whose names are spelt
   a little differently join them (trigram similarity).
3. They are ranked by how closely their texts match (``words.closeness``:
   whole words before prefixes, titles before the rest, the words side by
   side), then by kind, then by how much of the title the search covers
   (``words.coverage``; for a name found by its trigrams, their
   similarity), then newest first. The ranking is computed here, from the
   texts, so it is the same on both databases; the databases' own ranks
   would not be (FTS5's bm25 also weighs each word by counting every row
   that holds it, as costly as the word is common).

``Found.complete`` is false when more records match than were ranked: a
reader is told so, and can add words.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from tracker.search import index, postgresql
from tracker.search.documents import DOCUMENTS, Document
from tracker.search.words import Query, QueryError, closeness, coverage, read

__all__ = ["CANDIDATES", "Found", "Hit", "Query", "QueryError", "Results", "find", "read"]

CANDIDATES = 200
FIRST_LOOK = 250
FURTHER_LOOK = 2000
KINDS = tuple(DOCUMENTS)

# A kind's searchable records: all of them (``None``), or those among some ids.
Records = Callable[[list[int] | None], QuerySet]
# SQL keeping an index row whose record id is the given column, and its parameters.
Kept = Callable[[str], tuple[str, tuple]]


@dataclass
class Hit:
    """One record found: its kind, id, how closely it matched, and its searched texts."""

    kind: str
    pk: int
    closeness: float
    coverage: float
    texts: dict = field(repr=False)

    @property
    def sort_key(self) -> tuple:
        return (-self.closeness, KINDS.index(self.kind), -self.coverage, -self.pk)


@dataclass
class Found:
    """The records of one kind found, ranked, and whether they are all that match."""

    hits: list[Hit]
    complete: bool


@dataclass
class Results:
    query: Query
    by_kind: dict[str, Found]

    @cached_property
    def hits(self) -> list[Hit]:
        """Every record found, of every kind, best first."""
        return sorted(
            (hit for found in self.by_kind.values() for hit in found.hits),
            key=lambda hit: hit.sort_key,
        )

    @property
    def complete(self) -> bool:
        return all(found.complete for found in self.by_kind.values())


def find(query: Query, within: dict[str, Records]) -> Results:
    """The records of each kind in ``within`` matching ``query``, ranked."""
    return Results(query, {kind: _find(query, DOCUMENTS[kind], rs) for kind, rs in within.items()})


# The conditions already written for each record set, by the column naming the row's id:
# writing the public sources' takes longer than the search it serves.
_written: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def kept_by(records: Records) -> Kept:
    """The condition keeping an index row only while ``records`` hold its record.

    A correlated ``EXISTS`` on the row's id: each row the walk reaches costs
    one lookup by primary key, and rows that are not kept (drafts, most of
    all) take no place among the matches and are not counted. Each is
    written once for each record set (``tracker.public``'s live as long as
    the process; an API list's, as long as its search).
    """
    written = _written.setdefault(records, {})

    def kept(outer_id: str) -> tuple[str, tuple]:
        if outer_id not in written:
            holding = records(None).filter(pk=RawSQL(outer_id, ())).order_by().values("pk")
            sql, params = holding.query.sql_with_params()
            written[outer_id] = (f"EXISTS ({sql})", tuple(params))
        return written[outer_id]

    return kept


def _find(query: Query, document: Document, records: Records) -> Found:
    connection = connections[router.db_for_read(document.model)]
    engine = index.backend(connection)
    if not query or engine is None:
        return Found([], complete=True)
    rows: list[dict] = []
    exhausted, before = False, None
    kept = kept_by(records)
    with connection.cursor() as cursor:
        for look in (FIRST_LOOK, FURTHER_LOOK):
            matching = engine.newest(cursor, document, query.words, look, before, kept)
            rows += _texts(records, document, matching)
            if len(matching) < look:
                exhausted = True
                break
            if len(rows) > CANDIDATES:
                break
            before = matching[-1]
    rows.sort(key=lambda row: -row["pk"])
    complete = exhausted and len(rows) <= CANDIDATES
    hits = [_hit(query, document, row) for row in rows[:CANDIDATES]]
    if engine is postgresql and document.kind in postgresql.NAMED:
        found = [hit.pk for hit in hits]
        similar = dict(
            postgresql.similar_names(
                records(None).exclude(pk__in=found), document, " ".join(query.words), CANDIDATES
            )
        )
        for row in _texts(records, document, list(similar)):
            hits.append(_hit(query, document, row, similarity=similar[row["pk"]]))
    return Found(sorted(hits, key=lambda hit: hit.sort_key), complete)


def _hit(query: Query, document: Document, row: dict, similarity: float | None = None) -> Hit:
    titles = [row[column] for column in document.title_columns]
    return Hit(
        kind=document.kind,
        pk=row["pk"],
        closeness=closeness(query.words, titles, [row[c] for c in document.body_columns]),
        coverage=coverage(query.words, titles) if similarity is None else similarity,
        texts=row,
    )


def _texts(records: Records, document: Document, pks: list[int]) -> list[dict]:
    """The searched texts of the records among ``pks``."""
    if not pks:
        return []
    return list(records(pks).order_by().values("pk", *document.columns))
