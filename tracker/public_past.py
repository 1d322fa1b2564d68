"""What the public saw at an instant in the past, rebuilt from the history tables.

A past day's pages read the past as published then here, through
``tracker.public_at``, and nowhere else. Every record comes from its
history table, as its latest version before the instant; the lifecycle
transitions come from the status-change log. The rules are those of
``tracker.public``, applied twice, then and now:

- A record is shown as it stood at the instant when its version then was
  published (and its parents' versions then were published too), **and** it
  is public today by ``tracker.public``. A record withdrawn since is gone
  from the past as well: withdrawing it means the public should not read it,
  on any page.
- What is shown is the version then: the commitment's status, texts and
  category; each reading's terms, and which one was working; each claim's
  summary and verification state.
- A commitment's working window is its working reading's as it stood then,
  only while that reading was published then and is public today.
- Roles (who is bound) are today's public roles, each as it stood then;
  one made later is left out. The parties are named as they are today.
- The status-change log counts the transitions recorded by the instant.
- A shown record whose public fields (those ``tracker.changelog`` compares)
  changed after the instant, in a published version, is marked with the
  first such change (``tracker.public_past_corrections``): it was corrected
  later, and the page links to the record as it reads today. A status is
  corrected later when a correction recorded after the instant took effect
  before it.

Internal notes and the staff who made a change stay out, as everywhere: the
pages name the fields they show one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, Min, OuterRef, QuerySet, Subquery

from tracker import public
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    Reading,
    StatusChange,
)


def versions(model, moment: dt.datetime, **filters) -> QuerySet:
    """Each record's latest history row before ``moment``, unless that row is its deletion.

    The one way the past is read: a record as it stood at an instant is its
    last version written before it. Published or not, public today or not:
    ``shown`` adds the public's rules; roles and parties read this alone.
    """
    history = model.history.model
    latest = (
        history.objects.filter(id=OuterRef("id"), history_date__lt=moment)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return (
        history.objects.filter(history_date__lt=moment, **filters)
        .filter(history_id=Subquery(latest))
        .exclude(history_type="-")
    )


def shown(model, public_now: QuerySet, moment: dt.datetime, **filters) -> QuerySet:
    """The versions published at ``moment`` of the records that are public today.

    ``public_now`` is the kind's queryset in ``tracker.public``: a record
    withdrawn since is gone from the past too, so the past never shows what
    the public should not read today. Whether a record is public today is
    asked of each version read, by its id: asked as "among all public
    records", the database lists every public record of the table first, a
    million claims for a page that counts a few thousand.
    """
    return versions(model, moment, **filters).filter(
        Exists(public_now.filter(pk=OuterRef("id"))), is_published=True
    )


def as_record(version):
    """The record as its history row has it, with the row kept beside it.

    The row stays as ``version``: ``sources`` reads what it cited then and
    ``tracker.public_past_corrections`` compares it with the versions
    published since.
    """
    record = version.instance
    record.version = version
    return record


# Each kind's versions shown at an instant: what the pages and the downloads read ------


def agreement_versions(moment: dt.datetime, **filters) -> QuerySet:
    """The history rows of the agreements shown at ``moment``, each its version then."""
    return shown(Agreement, public.agreements(), moment, **filters)


def commitment_versions(moment: dt.datetime, **filters) -> QuerySet:
    """The commitments shown at ``moment``: published then, under an agreement published then."""
    return shown(Commitment, public.commitments(), moment, **filters).filter(
        agreement_id__in=agreement_versions(moment).values("id")
    )


def _of(commitment_ids: Iterable[int] | None, moment: dt.datetime) -> dict:
    """The filter to these commitments, or to every one shown at ``moment`` without ids.

    Only the commitments' versions then say whether they were shown: a page
    asks for the ids ``commitments()`` gave, a download for them all.
    """
    if commitment_ids is None:
        return {"commitment_id__in": commitment_versions(moment).values("id")}
    return {"commitment_id__in": list(commitment_ids)}


def reading_versions(moment: dt.datetime, commitment_ids: Iterable[int] | None = None) -> QuerySet:
    """The history rows of the readings shown at ``moment``, of these commitments or all."""
    return shown(Reading, public.readings(), moment, **_of(commitment_ids, moment))


def event_versions(moment: dt.datetime, commitment_ids: Iterable[int] | None = None) -> QuerySet:
    """The history rows of the claims shown at ``moment``, newest first, to count, page or list."""
    return shown(ComplianceEvent, public.events(), moment, **_of(commitment_ids, moment)).order_by(
        "-occurred_at", "-id"
    )


def role_versions(
    moment: dt.datetime, commitment_ids: Iterable[int] | None = None, **filters
) -> QuerySet:
    """The roles of these commitments (or all shown) at ``moment``: today's public roles, then."""
    return versions(
        CommitmentParty,
        moment,
        **_of(commitment_ids, moment),
        **filters,
    ).filter(Exists(public.roles().filter(pk=OuterRef("id"))))


# Records rebuilt from those rows ------------------------------------------------------


def commitments(
    moment: dt.datetime, pk: int | None = None, windows: bool = True
) -> list[Commitment]:
    """The commitments the public saw at ``moment``, each as it stood then.

    Each carries ``agreement`` (as it stood then), ``version`` (its history
    row) and its working window then: ``working_reading_id``,
    ``working_starts_at``, ``working_ends_at``, ``working_due_at``,
    ``working_precision``, ``working_time_zone``, each None without a working
    reading shown then. Without ``windows``, the window is left for
    ``with_working_windows`` to give the few a page shows.
    """
    filters = {} if pk is None else {"id": pk}
    listed = as_commitments(commitment_versions(moment, **filters), moment)
    if windows:
        with_working_windows(listed, moment)
    return listed


def as_commitments(rows: Iterable, moment: dt.datetime) -> list[Commitment]:
    """Commitments as their rows (``commitment_versions``) have them, with their agreement then.

    A page reads its few at once; a download, its rows a chunk at a time.
    """
    rows = list(rows)
    agreements = {
        row.id: as_record(row)
        for row in agreement_versions(moment, id__in={row.agreement_id for row in rows})
    }
    listed = []
    for row in rows:
        agreement = agreements.get(row.agreement_id)
        if agreement is None:
            continue  # withdrawn between the two reads
        commitment = as_record(row)
        commitment.agreement = agreement
        listed.append(commitment)
    return listed


def agreement(slug: str, moment: dt.datetime) -> Agreement | None:
    """The agreement ``slug`` as it stood at ``moment``, if it was published then.

    Its own fields are its version's then; the parties it names and the
    sources it cites are today's public ones, as everywhere in the past.
    """
    public_now = public.agreements().filter(slug=slug)
    version = agreement_versions(moment, id__in=public_now.values("pk")).first()
    if version is None:
        return None
    record = public_now.prefetch_related(public.named_parties(), public.cited_sources()).get()
    for field in Agreement._meta.concrete_fields:
        if not field.is_relation:
            setattr(record, field.attname, getattr(version, field.attname))
    record.version = version
    return record


def with_working_windows(commitments: list[Commitment], moment: dt.datetime) -> None:
    """Give each commitment its working window then, from its working reading shown then."""
    working = {
        reading.commitment_id: reading
        for reading in readings([c.pk for c in commitments], moment)
        if reading.is_working
    }
    for commitment in commitments:
        reading = working.get(commitment.pk)
        commitment.working_reading = reading
        commitment.working_reading_id = reading.pk if reading else None
        for name in ("starts_at", "ends_at", "due_at", "precision", "time_zone"):
            setattr(commitment, f"working_{name}", getattr(reading, name) if reading else None)


def first_publication() -> dt.datetime | None:
    """When the first commitment still public today was first published: where the past begins."""
    history = Commitment.history.model
    return history.objects.filter(
        is_published=True, id__in=public.commitments().values("pk")
    ).aggregate(first=Min("history_date"))["first"]


# What a commitment brings along -----------------------------------------------------


def readings(commitment_ids: Iterable[int], moment: dt.datetime) -> list[Reading]:
    """The readings of these commitments shown at ``moment``, as they stood then.

    Ask for the ids ``commitments()`` gave (see ``reading_versions``).
    """
    rows = reading_versions(moment, commitment_ids).order_by("-is_working", "label", "id")
    return as_records(rows)


def events(commitment_ids: Iterable[int], moment: dt.datetime) -> list[ComplianceEvent]:
    """The claims on these commitments shown at ``moment``, as they stood then, newest first."""
    return as_records(event_versions(moment, commitment_ids))


def as_records(rows: Iterable) -> list:
    """Records as their history rows (from ``event_versions``, say) have them."""
    return [as_record(row) for row in rows]


# What the tallies and the daily strip count of each claim.
REPORTED = [
    "kind",
    "verification",
    "claimant_id",
    "occurred_at",
    "occurred_until",
    "precision",
    "accused_id",
]


class Counted:
    """A claim a page counts, as plain values: its id, commitment and ``REPORTED``.

    Not a record rebuilt from its history row (the model's constructor fills
    every translated text's default, which took seconds for many claims): it
    answers for itself as the version ``tracker.public_past_corrections`` compares.
    """

    __slots__ = ("values",)
    model = ComplianceEvent

    def __init__(self, values: dict):
        self.values = values

    def __getattr__(self, name: str):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def pk(self) -> int:
        return self.values["id"]

    @property
    def version(self) -> Counted:
        return self


def counted_claims(
    commitment_ids: Iterable[int], moment: dt.datetime, also: Iterable[str] = ()
) -> list[Counted]:
    """The claims a page counts at ``moment``, each with only ``REPORTED`` (and ``also``) read."""
    fields = ["id", "commitment_id", "history_id", *REPORTED, *also]
    return [
        Counted(row) for row in event_versions(moment, commitment_ids).order_by().values(*fields)
    ]


def model_of(record) -> type:
    """The model a shown record is of: its class, or the one a ``Counted`` claim names."""
    return record.model if isinstance(record, Counted) else type(record)


def roles(
    commitment_ids: Iterable[int], moment: dt.datetime, role: str | None = None
) -> dict[int, list[CommitmentParty]]:
    """{commitment id: [its roles then, of ``role`` if given]}, naming today's parties."""
    filters = {} if role is None else {"role": role}
    rows = role_versions(moment, commitment_ids, **filters)
    parties = {party.pk: party for party in public.parties()}
    bound: dict[int, list] = {}
    for row in rows.order_by("id"):
        if row.party_id not in parties:
            continue
        played = row.instance
        played.party = parties[row.party_id]
        bound.setdefault(row.commitment_id, []).append(played)
    for listed in bound.values():
        listed.sort(key=lambda r: (r.party.name, r.role))
    return bound


def status_changes(commitment: Commitment, moment: dt.datetime) -> list[StatusChange]:
    """The transitions recorded by ``moment``, in the order they took effect."""
    return list(public.status_changes().filter(commitment=commitment, recorded_at__lt=moment))


class Cited(list):
    """Sources cited then, listed as the templates list a record's own: ``sources.all``."""

    def all(self):
        return self


def sources(records: Iterable) -> None:
    """Give each reading or claim ``cited``: the public sources its version cited then."""
    records = list(records)
    by_model: dict[type, list] = {}
    for record in records:
        by_model.setdefault(type(record), []).append(record)
    cited: dict[tuple[type, int], list[int]] = {}
    for model, group in by_model.items():
        links = group[0].version.sources.model  # the history of the record's sources
        for history_id, source_id in (
            links.objects.filter(history_id__in=[r.version.history_id for r in group])
            .order_by("source_id")
            .values_list("history_id", "source_id")
        ):
            cited.setdefault((model, history_id), []).append(source_id)
    wanted = {pk for ids in cited.values() for pk in ids}
    found = {s.pk: s for s in public.sources(among=list(wanted))} if wanted else {}
    for record in records:
        ids = cited.get((type(record), record.version.history_id), [])
        record.cited = Cited(found[pk] for pk in ids if pk in found)
