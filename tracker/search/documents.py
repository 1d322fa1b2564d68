"""What search reads of each kind of record: its name-like texts and the rest.

Each searchable table gets a search table beside it, named
``tracker_search_<kind>`` and keyed by the record's id, holding the words of
the texts listed here in every language (``tracker.translation``). Words in
the *title* texts weigh most (a commitment's title, a claim's summary, a
party's names); words in the *body* texts less (terms, venues, places).

Only texts the public pages show are listed: internal notes and staff are in
no search table, so no query can reach them, whatever the publication state.
Whether a record may be *shown* is decided later, by ``tracker.public``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import models

from tracker import translated
from tracker.models import Agreement, Commitment, ComplianceEvent, Party, Reading, Source


@dataclass(frozen=True)
class Document:
    kind: str
    model: type[models.Model]
    title: tuple[str, ...]
    body: tuple[str, ...] = ()
    # Texts kept in one language only (a publisher's name, a reading's quoted wording).
    plain_body: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def search_table(self) -> str:
        return f"tracker_search_{self.kind}"

    @property
    def title_columns(self) -> list[str]:
        return translated.columns(*self.title)

    @property
    def body_columns(self) -> list[str]:
        return [*translated.columns(*self.body), *self.plain_body]

    @property
    def columns(self) -> list[str]:
        return [*self.title_columns, *self.body_columns]

    @property
    def fingerprint(self) -> str:
        """Names what the search table holds; a search table built otherwise is built again."""
        described = f"{self.table}|{','.join(self.title_columns)}|{','.join(self.body_columns)}"
        return hashlib.sha256(described.encode()).hexdigest()[:16]


DOCUMENTS = {
    document.kind: document
    for document in (
        Document("commitment", Commitment, title=("title",), body=("terms", "conditions")),
        Document("agreement", Agreement, title=("title",), body=("venue", "summary")),
        Document("event", ComplianceEvent, title=("summary",), body=("location",)),
        Document("source", Source, title=("title",), plain_body=("publisher",)),
        Document("reading", Reading, title=("label",), body=("scope",), plain_body=("wording",)),
        Document("party", Party, title=("name", "short_name")),
    )
}
