"""Recording many new claims at once: ``services.record_event`` for a whole file.

An import records claims by the tens of thousands. ``ClaimBatch`` checks
each claim as ``record_event`` does (permission, reason, the fields only the
services set, validation, the likely original) and as the importer added
sources before (found by URL, or added with their own history), then writes
a batch of them at a time: events, sources, quantities and their history
rows (the same user and reason, a second row when the sources are set, as
the many-to-many history records it) each in one INSERT. What
``record_event`` looks up per claim is looked up once per batch
(``prepare``): the claims already recorded on the batch's days, the sources
named, and the records the claims point to. Claims of the same batch are
compared with each other in memory, by the rule of ``tracker.duplicates``,
so a file's claims are flagged against each other as against the record.

What the database checks are left to it: the models' check constraints say
again what field validation and ``clean()`` already refuse, so they are not
asked once per claim; should the database still refuse a batch, each claim
of it is written alone, and the one refused is named.

A batch that is only to say what would happen (``write=False``: a dry run,
the admin's preview) checks every claim the same way and writes nothing: each
claim kept is given the id the next write would give it (ids only grow), so
claims of the file are compared with and flagged against each other as in a
real run, and no write transaction, hence no SQLite write lock, is needed.
What it cannot say is a refusal the database alone would make; the models'
constraints restate their validation, so there is none to miss.

No signal is sent per row: the summaries of the commitments touched are
refreshed (``tracker.summaries``; once per commitment inside a ``deferred``
block), the record gets a new version (``tracker.http``), and a new claim,
unpublished and unverified, announces nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import Any

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction

from tracker import duplicates, http, services, summaries
from tracker.any_of import AnyOf
from tracker.models import (
    Commitment,
    ComplianceEvent,
    DeliveredQuantity,
    EventKind,
    Party,
    Source,
)
from tracker.services import base, checks
from tracker.translated import reading as translated_texts

BATCH_SIZE = 500
# Values per query, well under any database's limit on parameters.
PER_QUERY = 400
# Two claims of the same day, parties and commitment that agree on all these are the same claim.
SAME_CLAIM = (
    "kind",
    "occurred_at",
    "occurred_until",
    "precision",
    "location",
    "region",
    "count",
    "summary",
    "in_response_to_id",
)
ONE_QUANTITY_PER_SIDE = next(
    constraint
    for constraint in DeliveredQuantity._meta.constraints
    if constraint.name == "one_quantity_per_side_and_unit"
)
EventSources = ComplianceEvent.sources.through


def _chunks(values: Iterable, size: int = PER_QUERY):
    values = iter(values)
    while chunk := list(islice(values, size)):
        yield chunk


@dataclass(eq=False)
class Candidate:
    """A claim a new one may repeat: recorded already, or waiting in this batch."""

    pk: int | None
    words: str
    source_urls: frozenset[str]
    values: tuple
    waiting: Pending | None = None

    @property
    def id(self) -> int | None:
        return self.waiting.event.pk if self.waiting is not None else self.pk

    @property
    def tag(self) -> Any:
        return self.waiting.tag if self.waiting is not None else None


@dataclass(eq=False)
class Pending:
    """A claim checked and waiting to be written, with what goes with it."""

    event: ComplianceEvent
    sources: list[Source]
    quantities: list[DeliveredQuantity]
    original: Candidate | None
    key: tuple | None
    words: str
    tag: Any = None
    # Set when the database refused the claim after all.
    refusal: DatabaseError | None = None

    @cached_property
    def values(self) -> tuple:
        """What the claim must agree on with another to be the same claim (``SAME_CLAIM``)."""
        return _values(self.event)

    def candidate(self) -> Candidate:
        return Candidate(
            pk=None,
            words=self.words,
            source_urls=frozenset(source.url for source in self.sources),
            values=self.values,
            waiting=self,
        )


def _values(event: ComplianceEvent, texts: dict | None = None) -> tuple:
    """``SAME_CLAIM`` of ``event``; ``texts``: its translated texts as read already."""
    if texts is None:
        return tuple(getattr(event, name) for name in SAME_CLAIM)
    return tuple(texts[name] if name in texts else getattr(event, name) for name in SAME_CLAIM)


class ClaimBatch:
    """New claims, checked one by one and written a batch at a time, in the caller's transaction.

    ``prepare`` the next claims' look-ups, ``check`` each (raises what
    ``record_event`` would), ``keep`` it, and ``flush`` to write what is kept.
    """

    def __init__(self, *, actor, reason: str, write: bool = True):
        base.require(actor, "tracker.add_complianceevent", "record events")
        self.reason = base.require_reason(reason)
        self.actor = actor
        self.user = base.user_of(actor)
        self.write = write
        self.pending: list[Pending] = []
        # Without writing: the ids the claims kept would get, from the first to the next.
        self.first_id = self.next_id = None
        if not write:
            latest = ComplianceEvent._base_manager.order_by("-pk").values_list("pk", flat=True)
            self.first_id = self.next_id = (latest.first() or 0) + 1
        self._forget()

    def _forget(self) -> None:
        self.groups: dict[tuple, list[Candidate]] = {}
        self.sources: dict[str, Source] = {}
        self.absent: set[str] = set()
        self.commitments: set[int] = set()
        self.parties: set[int] = set()
        self.events: set[int] = set()

    # Look-ups, once per batch ---------------------------------------------------------

    @services.in_english
    def prepare(self, events: Sequence[ComplianceEvent], source_urls: Iterable[str]) -> None:
        """Read at once what checking these claims needs; call it between flushes."""
        self.flush()
        self._forget()
        urls = set(source_urls)
        for chunk in _chunks(urls):
            named = Source.objects.filter(AnyOf("url", values=chunk))
            self.sources.update((s.url, s) for s in named)
        self.absent = urls - self.sources.keys()
        self.commitments = self._existing(Commitment, {e.commitment_id for e in events})
        self.parties = self._existing(
            Party, {pk for e in events for pk in (e.claimant_id, e.accused_id)}
        )
        self.events = self._existing(ComplianceEvent, {e.in_response_to_id for e in events})
        keys = {duplicates.same_day_key(event) for event in events}
        self._load_days({key[:2] for key in keys if key is not None})
        for key in keys:
            if key is not None:
                self.groups.setdefault(key, [])

    @staticmethod
    def _existing(model, ids: set) -> set[int]:
        ids.discard(None)
        found: set[int] = set()
        for chunk in _chunks(ids):
            found.update(
                model._base_manager.filter(AnyOf("pk", values=chunk)).values_list("pk", flat=True)
            )
        return found

    def _load_days(self, days: set[tuple]) -> None:
        """The claims recorded on these (commitment, day)s, by claim key, oldest first."""
        texts = checks.translated_attributes(ComplianceEvent)
        translated = tuple(name for name in SAME_CLAIM if name in texts)
        selected, texts_of = translated_texts(ComplianceEvent, translated)
        plain = [name for name in SAME_CLAIM if name not in translated]
        names = ["pk", "commitment_id", "occurred_on", "claimant_id", "accused_id", *plain]
        rows = []
        for chunk in _chunks(sorted(days), PER_QUERY // 2):
            same_day = AnyOf("commitment_id", "occurred_on", values=chunk)
            # The texts are read from their language columns as reading a record reads them.
            for values in (
                ComplianceEvent.objects.rewrite(False)
                .filter(same_day)
                .values(*names, *selected)
                .iterator(chunk_size=2000)
            ):
                read = dict(zip(translated, texts_of(values), strict=True))
                rows.append(
                    (
                        *(values[name] for name in names[:5]),
                        *(read[name] if name in read else values[name] for name in SAME_CLAIM),
                    )
                )
        rows.sort()
        cited: dict[int, set[str]] = {}
        for chunk in _chunks([row[0] for row in rows]):
            links = EventSources.objects.filter(AnyOf("complianceevent_id", values=chunk))
            for pk, url in links.values_list("complianceevent_id", "source__url"):
                cited.setdefault(pk, set()).add(url)
        summary_at = SAME_CLAIM.index("summary")
        for pk, commitment, day, claimant, accused, *values in rows:
            self.groups.setdefault((commitment, day, claimant, accused), []).append(
                Candidate(
                    pk=pk,
                    words=duplicates.normalised(values[summary_at] or ""),
                    source_urls=frozenset(cited.get(pk, ())),
                    values=tuple(values),
                )
            )

    def _group(self, key: tuple) -> list[Candidate]:
        if key not in self.groups:  # not prepared: read this day alone
            self._load_days({key[:2]})
            self.groups.setdefault(key, [])
        return self.groups[key]

    # Checking one claim ---------------------------------------------------------------

    @services.in_english
    def check(
        self,
        event: ComplianceEvent,
        *,
        source_urls: Iterable[str] = (),
        quantities: Iterable[tuple[Party, int, str | dict[str, str]]] = (),
        tag: Any = None,
    ) -> Pending:
        """The claim, checked as ``record_event`` checks it; raises its refusal.

        Nothing is kept until ``keep``: a caller may still refuse it.
        """
        if event.pk is not None:
            raise services.InvalidEvent("This event is already recorded; edit it instead.")
        sources = self._sources(source_urls)
        quantities = list(quantities)
        if quantities and event.kind != EventKind.DELIVERY:
            raise services.InvalidEvent({"kind": ["Only a delivery hands over quantities."]})
        base.keep_service_fields(event)
        event.recorded_by = self.user
        key = duplicates.same_day_key(event)
        texts = checks.translated_texts(event)
        words = duplicates.normalised(texts["summary"] or "")
        original = self._original(key, words, sources)
        if original is not None and original.id is not None:
            event.possible_duplicate_of_id = original.id
        if event.in_response_to_id is not None and event.in_response_to_id not in self.events:
            self.flush()  # it may name a claim of this file: the database is asked, as by one
            if self.kept_before(event.in_response_to_id):
                self.events.add(event.in_response_to_id)
        self._validate(event, self._known(event), texts=texts)
        rows = self._quantities(event, quantities)
        pending = Pending(event, sources, rows, original, key, words, tag)
        pending.values = _values(event, texts)
        return pending

    def kept_before(self, event_id: int) -> bool:
        """Whether a claim kept (and flushed) by this batch without writing has this id."""
        return self.first_id is not None and self.first_id <= event_id < self.next_id

    def _sources(self, urls: Iterable[str]) -> list[Source]:
        """The sources named, each found by its URL or made (not saved yet), in the order given."""
        urls = list(dict.fromkeys(urls))
        unknown = [url for url in urls if url not in self.sources and url not in self.absent]
        if unknown:
            named = Source.objects.filter(AnyOf("url", values=unknown))
            self.sources.update((s.url, s) for s in named)
            self.absent.update(url for url in unknown if url not in self.sources)
        found = []
        for url in urls:
            source = self.sources.get(url)
            if source is None:
                base.require(self.actor, "tracker.add_source", "add sources")
                source = Source(url=url)
                # The URL is in neither the record nor this batch: no query need say it is unique.
                self._validate(source, (), unique=False)
            found.append(source)
        return found

    def _original(self, key, words: str, sources: list[Source]) -> Candidate | None:
        """The earliest claim a new one probably repeats (``duplicates.likely_original``)."""
        if key is None:
            return None
        urls = {source.url for source in sources}
        for candidate in self._group(key):
            if (
                duplicates.words_similarity(words, candidate.words) >= duplicates.SIMILAR_ENOUGH
                or urls & candidate.source_urls
            ):
                return candidate
        return None

    def _known(self, event: ComplianceEvent) -> list[str]:
        """The references already known to exist, which validation need not look up again."""
        known = []
        if event.commitment_id in self.commitments:
            known.append("commitment")
        for name in ("claimant", "accused"):
            if getattr(event, f"{name}_id") in self.parties:
                known.append(name)
        if event.in_response_to_id in self.events:
            known.append("in_response_to")
        if event.possible_duplicate_of_id is not None:
            known.append("possible_duplicate_of")
        if self.user is not None and event.recorded_by_id == self.user.pk:
            known.append("recorded_by")
        return known

    @staticmethod
    def _validate(obj, known: Iterable[str], *, unique: bool = True, texts=None) -> None:
        base.refuse_control_characters(obj, texts)
        try:
            checks.full_clean(obj, known, validate_unique=unique, texts=texts)
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise base.error_class_for(obj)(detail) from exc

    def _quantities(self, event, quantities) -> list[DeliveredQuantity]:
        rows, given = [], set()
        for party, quantity, unit in quantities:
            units = unit if isinstance(unit, dict) else {"unit": unit}
            row = DeliveredQuantity(event=event, received_by=party, quantity=quantity, **units)
            known = ["event"] + (["received_by"] if row.received_by_id in self.parties else [])
            self._validate(row, known)
            if (row.received_by_id, row.unit) in given:
                message = ONE_QUANTITY_PER_SIDE.get_violation_error_message()
                raise services.InvalidEvent({NON_FIELD_ERRORS: [message]})
            given.add((row.received_by_id, row.unit))
            rows.append(row)
        return rows

    def keep(self, pending: Pending) -> None:
        """Write this claim with the next flush; later claims are compared with it."""
        self.pending.append(pending)
        for source in pending.sources:
            self.sources.setdefault(source.url, source)
        if pending.key is not None:
            self._group(pending.key).append(pending.candidate())

    def same_claims(self, pending: Pending, since: int | None = None) -> Iterator[Candidate]:
        """The claims of its day that ``pending`` repeats field for field, oldest first.

        Among claims kept in this batch, and those recorded with an id of at
        least ``since`` (None: none of those).
        """
        if pending.key is None:
            return
        values = pending.values
        for candidate in self._group(pending.key):
            if candidate.waiting is None and (since is None or candidate.pk < since):
                continue
            if candidate.values == values:
                yield candidate

    # Writing --------------------------------------------------------------------------

    @services.in_english
    def flush(self) -> list[Pending]:
        """Write the claims kept since the last flush; returns them, each with its id or refusal."""
        kept, self.pending = self.pending, []
        if not kept:
            return kept
        if not self.write:
            self._number(kept)
            return kept
        try:
            self._write(kept)
        except DatabaseError:
            for pending in kept:  # one at a time, to name the claim refused
                try:
                    self._write([pending])
                except DatabaseError as refusal:
                    pending.refusal = refusal
        summaries.refresh(pending.event.commitment_id for pending in kept)
        http.note_change()
        return kept

    def _number(self, kept: list[Pending]) -> None:
        """Give each claim the id a write would, and flag those repeating claims of the file."""
        for pending in kept:
            pending.event.pk = self.next_id
            self.next_id += 1
        for pending in kept:
            if pending.original is not None and pending.event.possible_duplicate_of_id is None:
                pending.event.possible_duplicate_of_id = pending.original.id

    def _write(self, kept: list[Pending]) -> None:
        """Write these claims in a savepoint; if the database refuses, they are unsaved again."""
        made = {
            id(obj): obj
            for pending in kept
            for obj in (pending.event, *pending.quantities, *pending.sources)
            if obj.pk is None
        }
        try:
            with transaction.atomic():
                self._insert(kept)
        except DatabaseError:
            for obj in made.values():
                obj.pk = None
                obj._state.adding = True
            for pending in kept:
                if pending.original is not None and pending.original.waiting in kept:
                    pending.event.possible_duplicate_of_id = None
            raise

    def _insert(self, kept: list[Pending]) -> None:
        by = {"default_user": self.user, "default_change_reason": self.reason}
        for pending in kept:
            for obj in (pending.event, *pending.sources, *pending.quantities):
                obj._history_user = self.user
                obj._change_reason = self.reason
        new_sources = list({id(s): s for p in kept for s in p.sources if s.pk is None}.values())
        Source.objects.bulk_create(new_sources)
        Source.history.bulk_history_create(new_sources, **by)
        if new_sources:
            from tracker.evidence.capturing import queue_on_commit

            queue_on_commit(source.pk for source in new_sources)

        events = [pending.event for pending in kept]
        ComplianceEvent.objects.bulk_create(events)
        # A claim repeating one of its own batch learns that claim's id now.
        later = []
        for pending in kept:
            if pending.original is not None and pending.event.possible_duplicate_of_id is None:
                pending.event.possible_duplicate_of_id = pending.original.id
                later.append(pending.event)
        ComplianceEvent.objects.bulk_update(later, ["possible_duplicate_of"])
        ComplianceEvent.history.bulk_history_create(events, **by)

        # Setting the sources is a change of its own in the history, with the sources in it.
        cited = [p for p in kept if p.sources]
        links = [
            EventSources(complianceevent_id=p.event.pk, source_id=s.pk)
            for p in cited
            for s in p.sources
        ]
        EventSources.objects.bulk_create(links)
        changed = ComplianceEvent.history.bulk_history_create(
            [p.event for p in cited], update=True, **by
        )
        history_of = {p.event.pk: row.pk for p, row in zip(cited, changed, strict=True)}
        SourcesHistory = apps.get_model(  # noqa: N806
            "tracker", f"{ComplianceEvent.history.model.__name__}_sources"
        )
        SourcesHistory.objects.bulk_create(
            SourcesHistory(
                history_id=history_of[link.complianceevent_id],
                id=link.pk,
                complianceevent_id=link.complianceevent_id,
                source_id=link.source_id,
            )
            for link in links
        )

        quantities = [row for p in kept for row in p.quantities]
        DeliveredQuantity.objects.bulk_create(quantities)
        DeliveredQuantity.history.bulk_history_create(quantities, **by)


@dataclass
class NewClaim:
    """A claim for ``record_events``: the event and what ``record_event`` takes with it."""

    event: ComplianceEvent
    source_urls: list[str] = field(default_factory=list)
    quantities: list[tuple[Party, int, str | dict[str, str]]] = field(default_factory=list)


@transaction.atomic
def record_events(claims: Iterable[NewClaim], *, actor, reason: str) -> list[ComplianceEvent]:
    """Record new claims as ``record_event`` would, a batch at a time; all or nothing.

    Each claim's sources are given by URL, found or added. Raises the first
    refusal (nothing is then written); returns the events recorded, in order.
    """
    batch = ClaimBatch(actor=actor, reason=reason)
    recorded = []
    with summaries.deferred(), http.one_version_for_many_writes():
        claims = iter(claims)
        while chunk := list(islice(claims, BATCH_SIZE)):
            batch.prepare([c.event for c in chunk], [u for c in chunk for u in c.source_urls])
            for claim in chunk:
                pending = batch.check(
                    claim.event, source_urls=claim.source_urls, quantities=claim.quantities
                )
                batch.keep(pending)
            for pending in batch.flush():
                if pending.refusal is not None:
                    refusal = f"The database refused the claim: {pending.refusal}"
                    raise services.InvalidEvent(refusal)
                recorded.append(pending.event)
    return recorded
