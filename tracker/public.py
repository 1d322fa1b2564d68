"""What the public sees. Every public page, feed, calendar, file, API answer and
subscriber's alert reads its records from here, and nowhere else.

The rules, in one place:

- An **agreement** is public when it is published.
- A **commitment** is public when it and its agreement are published.
- A **reading** or an **event** is public when it is published and its
  commitment is public.
- A commitment's **working window** (start, end, due date, precision) is its
  working reading's only while that reading is public. A working reading
  staff have not published yet gives the public no dates, and it drives
  nothing: the clock does not expire the commitment by it and no "ends in"
  warning is derived from it.
- A **source** is public when a public agreement, reading or event cites it.
- A **party** is public when a public record names it: as a party to an
  agreement, in a role on a commitment, as the author of a reading, or as
  the claimant or accused of an event.
- A party's **role** on a commitment, a **delivered quantity**, a **status
  change** and the **compliance summary** are public with their commitment
  or event; the summary counts only published events.
- A link from one record to another (the claim an event answers, the
  commitment another renews) is followed only while the target is public.

A public source's **captures** (date, SHA-256, status, content type) and its
**link status** are public with it; failed tries and their reasons never are,
and a copy's bytes only where staff marked the source shareable. A **file from the
field** is public with its source or claim once staff mark it public, and then only
as its copy without metadata (with both hashes); the original stays with staff.

Internal notes, and the staff who recorded, verified or changed anything,
are in no public record: the outputs name the fields they show one by one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from functools import reduce
from operator import or_

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.db.models.lookups import IsNull

from tracker import attention as rules
from tracker.models import (
    VIOLATION_KINDS,
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Reading,
    Source,
    StatusChange,
    Verification,
)
from tracker.status import Shape, Status, shapes_with_deadline

# Records --------------------------------------------------------------------------


def agreements() -> QuerySet[Agreement]:
    return Agreement.objects.filter(is_published=True)


def commitments() -> QuerySet[Commitment]:
    return Commitment.objects.filter(is_published=True, agreement__is_published=True)


def readings() -> QuerySet[Reading]:
    return Reading.objects.filter(
        is_published=True,
        commitment__is_published=True,
        commitment__agreement__is_published=True,
    )


def events() -> QuerySet[ComplianceEvent]:
    return ComplianceEvent.objects.filter(
        is_published=True,
        commitment__is_published=True,
        commitment__agreement__is_published=True,
    )


def quantities() -> QuerySet[DeliveredQuantity]:
    return DeliveredQuantity.objects.filter(
        event__is_published=True,
        event__commitment__is_published=True,
        event__commitment__agreement__is_published=True,
    )


def roles() -> QuerySet[CommitmentParty]:
    return CommitmentParty.objects.filter(
        commitment__is_published=True, commitment__agreement__is_published=True
    )


def status_changes() -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(
        commitment__is_published=True, commitment__agreement__is_published=True
    )


def sources(among: list[int] | None = None) -> QuerySet[Source]:
    """Public sources; ``among`` keeps to those ids.

    Asked for a few ids (search asks for a few hundred), each source looks
    for one public record citing it and stops there: PostgreSQL would
    otherwise read every public claim's citations to answer for a few.
    """
    citing = [
        records.filter(sources=OuterRef("pk")) for records in (events(), readings(), agreements())
    ]
    if among is None:
        return Source.objects.filter(reduce(or_, (Q(Exists(c)) for c in citing)))
    first_citation = [Subquery(c.order_by().values("pk")[:1]) for c in citing]
    return Source.objects.filter(pk__in=among).filter(
        reduce(or_, (Q(IsNull(first, False)) for first in first_citation))
    )


def parties() -> QuerySet[Party]:
    return _named_parties().all()


@functools.cache
def _named_parties() -> QuerySet[Party]:
    """The parties a public record names, as a query built once per process.

    Building its subqueries costs more than the database takes to run them,
    on every page that lists parties; the rule never changes, so each call
    above starts from a fresh copy of this one.

    Claims are asked for a party's newest public claim on each side, along
    the index each side has (party, newest first), not whether one exists:
    a side of the conflict makes half of all claims and most parties none,
    and PostgreSQL, planning one query for every party, scanned the whole
    table to prove that a party made none (1.4 s at 100,000 claims; 10 ms
    this way).
    """
    named = (
        Q(Exists(agreements().filter(parties=OuterRef("pk"))))
        | Q(Exists(roles().filter(party=OuterRef("pk"))))
        | Q(Exists(readings().filter(read_by=OuterRef("pk"))))
        | Q(newest_claim_by__isnull=False)
        | Q(newest_claim_against__isnull=False)
        | Q(Exists(quantities().filter(received_by=OuterRef("pk"))))
    )
    return Party.objects.alias(
        newest_claim_by=_newest_claim("claimant"),
        newest_claim_against=_newest_claim("accused"),
    ).filter(named)


def _newest_claim(side: str) -> Subquery:
    claims = events().filter(**{side: OuterRef("pk")}).order_by("-occurred_at", "-id")
    return Subquery(claims.values("pk")[:1])


def is_on_record(record) -> bool:
    """Whether ``record`` is part of the public record, so that only a reviewer may change it.

    A record that is published is, even while what it belongs to is not:
    the public sees it, as it stands, the moment that is published, so an
    edit of it (or a move to another commitment) must not reach them
    unreviewed. Parties and sources are never published one by one; they
    are on the public record while a public record names or cites them.
    """
    if isinstance(record, Party):
        return parties().filter(pk=record.pk).exists()
    if isinstance(record, Source):
        return sources([record.pk]).exists()
    return bool(getattr(record, "is_published", False))


# The working window ---------------------------------------------------------------


def working_readings() -> QuerySet[Reading]:
    """The working readings the public may see: one per commitment at most."""
    return readings().filter(is_working=True)


def working_reading(commitment: Commitment) -> Reading | None:
    """The commitment's working reading, or None while that reading is not public."""
    return working_readings().filter(commitment=commitment).first()


WORKING_FIELDS = {
    "working_reading_id": "id",
    "working_starts_at": "starts_at",
    "working_ends_at": "ends_at",
    "working_due_at": "due_at",
    "working_precision": "precision",
    "working_time_zone": "time_zone",
}


def working_window() -> dict:
    """Annotations giving each public commitment its public working window.

    Use as ``commitments().annotate(**working_window())``. The working
    reading is joined once, and only while it is published (its commitment
    being public already); each value is None when there is none.
    """
    working = FilteredRelation(
        "readings", condition=Q(readings__is_working=True, readings__is_published=True)
    )
    fields = {name: F(f"public_working__{field}") for name, field in WORKING_FIELDS.items()}
    return {"public_working": working, **fields}


def renewed_slug() -> Subquery:
    """The slug of the commitment a commitment renews, while that one is public."""
    return Subquery(commitments().filter(pk=OuterRef("renews_id")).values("slug")[:1])


def answered_event_id() -> Subquery:
    """The id of the claim an event answers, while that claim is public."""
    return Subquery(events().filter(pk=OuterRef("in_response_to_id")).values("pk")[:1])


# What a public record brings along ---------------------------------------------------
#
# Whatever a public record cites or names is public by the rules above, so
# these follow its relations without filtering them again.


def cited_sources() -> Prefetch:
    """The sources a public record cites, in the order they were added, with their evidence."""
    return Prefetch(
        "sources",
        queryset=Source.objects.order_by("pk")
        .select_related("link")
        .prefetch_related(kept_captures(), shared_files()),
    )


# Evidence of a public source ---------------------------------------------------------------
#
# A public source's captures are public as facts: when each copy was made, its
# SHA-256, the HTTP status and the content type, and whether the address is
# still live, changed or gone. Never public: the tries that failed and why,
# which worker made a copy, and the copy's bytes, unless staff marked the
# source shareable (publishers' rights differ).


def kept_captures() -> Prefetch:
    """A source's kept copies, oldest first, as ``public_captures``."""
    from tracker.evidence.models import Capture

    return Prefetch(
        "captures",
        queryset=Capture.objects.kept().order_by("captured_at", "pk"),
        to_attr="public_captures",
    )


@dataclasses.dataclass(frozen=True)
class SourceEvidence:
    """What a reader is told of one public source's copies and link."""

    captures: list
    link_status: str
    link_status_since: dt.datetime | None
    shareable: bool

    @property
    def first(self):
        """The copy made when the source was cited: the one the page speaks of."""
        return self.captures[0] if self.captures else None


def source_evidence(source: Source) -> SourceEvidence:
    """The evidence of a public source, read from what ``cited_sources`` brought along."""
    captures = getattr(source, "public_captures", None)
    if captures is None:
        from tracker.evidence.models import Capture

        captures = list(Capture.objects.kept().filter(source=source).order_by("captured_at", "pk"))
    try:
        link = source.link
    except ObjectDoesNotExist:
        link = None
    if link is None or not captures:
        return SourceEvidence(captures, "unchecked", None, False)
    return SourceEvidence(captures, link.status, link.status_since, link.shareable)


def files_from_the_field():
    """Files from the field readers may open: public copies of a public source or claim."""
    from tracker.evidence.models import Attachment

    return (
        Attachment.objects.filter(is_public=True)
        .exclude(public_name="")
        .filter(Q(source__in=sources()) | Q(claim__in=events()))
    )


def shared_files() -> Prefetch:
    """A public source's or claim's files from the field with a public copy, as
    ``public_attachments``, oldest first."""
    from tracker.evidence.models import Attachment

    return Prefetch(
        "attachments",
        queryset=Attachment.objects.filter(is_public=True)
        .exclude(public_name="")
        .order_by("uploaded_at", "pk"),
        to_attr="public_attachments",
    )


def shared_files_of(record) -> list:
    """The public files from the field of a public source or claim, oldest first."""
    from tracker.evidence.models import Attachment

    prefetched = getattr(record, "public_attachments", None)
    if prefetched is not None:
        return prefetched
    field = "source" if isinstance(record, Source) else "claim"
    return list(
        Attachment.objects.filter(is_public=True, **{field: record})
        .exclude(public_name="")
        .order_by("uploaded_at", "pk")
    )


def shared_copy(source_id: int, capture_id: int):
    """A kept copy readers may open: of a public source that staff marked shareable; or None."""
    from tracker.evidence.models import Capture

    return (
        Capture.objects.kept()
        .filter(pk=capture_id, source_id=source_id, source__link__shareable=True)
        .filter(source__in=sources([source_id]))
        .first()
    )


def named_parties() -> Prefetch:
    """The parties to a public agreement, by name."""
    return Prefetch("parties", queryset=Party.objects.order_by("name"))


def handovers() -> Prefetch:
    """What each side received in a public delivery."""
    return Prefetch("quantities", queryset=DeliveredQuantity.objects.select_related("received_by"))


class Joined(Subquery):
    """The ``value`` column of a correlated subquery, joined into one text in its order.

    Lets a file give each row its list of sources (or handovers) in the same
    query as the row, on SQLite (``group_concat``) and PostgreSQL (``string_agg``).
    """

    output_field = models.TextField()
    separator = "; "

    def as_sql(self, compiler, connection, template=None, **extra_context):
        function = "string_agg" if connection.vendor == "postgresql" else "group_concat"
        template = (
            f"(SELECT {function}(joined.value, '{self.separator}') FROM (%(subquery)s) joined)"
        )
        return super().as_sql(compiler, connection, template=template, **extra_context)


def joined_source_urls(model) -> Joined:
    """Each public record's source URLs, in the order they were added (for readings and events)."""
    links = model.sources.through.objects.filter(**{model._meta.model_name: OuterRef("pk")})
    return Joined(links.order_by("source_id").annotate(value=F("source__url")).values("value"))


def joined_handovers(handed_over: QuerySet | None = None) -> Joined:
    """Each public delivery's handovers as "party: quantity unit", by the receiving party's name.

    In English, whatever the reader's language: the files' columns mean the same for everyone.
    ``handed_over`` is where the handovers are read: today's, or as they stood at
    a past day's end (``tracker.public_past_records.handover_versions``), for the
    claims as they stood then. Both name the claim and the record by ``id``.
    """
    if handed_over is None:
        handed_over = DeliveredQuantity.objects.all()
    given = handed_over.filter(event_id=OuterRef("id"))
    value = Concat(
        "received_by__slug",
        Value(": "),
        Cast("quantity", models.TextField()),
        Value(" "),
        "unit_en",
        output_field=models.TextField(),
    )
    given = given.order_by("received_by__name_en", "id")
    return Joined(given.annotate(value=value).values("value"))


# What the clock and the alerts follow -----------------------------------------------

LIVE_STATUSES = [Status.IN_FORCE, Status.SUSPENDED]


def live_commitments() -> QuerySet[Commitment]:
    """Public commitments still running: in force or suspended."""
    return commitments().filter(status__in=LIVE_STATUSES)


def live_windows() -> QuerySet[Commitment]:
    """Public windows the clock can still end: in force or suspended."""
    return commitments().filter(shape=Shape.WINDOW, status__in=LIVE_STATUSES)


def windows_ended_by(instant: dt.datetime) -> QuerySet[Reading]:
    """Public working readings of live windows whose end has passed by ``instant``."""
    return working_readings().filter(ends_at__lte=instant, commitment__in=live_windows())


def windows_ending_between(after: dt.datetime, until: dt.datetime) -> QuerySet[Reading]:
    """Public working readings of live windows ending in (after, until]: warnings to derive."""
    return working_readings().filter(
        ends_at__gt=after, ends_at__lte=until, commitment__in=live_windows()
    )


def deadlines_between(
    after: dt.datetime, until: dt.datetime, *, fields=("ends_at", "due_at")
) -> dict[str, QuerySet[Reading]]:
    """Public working readings of live commitments with a deadline in (after, until].

    One queryset for each kind of deadline in ``fields`` ("ends_at", "due_at"),
    each holding the readings whose instant of that kind is a deadline for
    their commitment's shape (``tracker.status.DEADLINE_FIELDS``).
    """
    return {
        field: working_readings().filter(
            **{f"{field}__gt": after, f"{field}__lte": until},
            commitment__in=live_commitments().filter(shape__in=shapes_with_deadline(field)),
        )
        for field in fields
    }


# Search ------------------------------------------------------------------------------


def _among(records: QuerySet, among: list[int] | None) -> QuerySet:
    return records if among is None else records.filter(pk__in=among)


SEARCHABLE = {
    "commitment": lambda among: _among(commitments(), among),
    "agreement": lambda among: _among(agreements(), among),
    "event": lambda among: _among(events(), among),
    "source": sources,
    "reading": lambda among: _among(readings(), among),
    "party": lambda among: _among(parties(), among),
}


def search(query, kinds, narrowed: QuerySet | None = None):
    """The public records of ``kinds`` whose texts hold every word of ``query``, best first.

    Search keeps what its index finds only where the public querysets above
    hold it, so it finds nothing a page could not show, whatever the index
    holds. ``narrowed`` (one kind only) searches within a list an output has
    filtered already, such as an API list with its filters applied; it is
    kept to what is public all the same. Returns ``tracker.search.Results``.
    """
    from tracker import search as engine

    def records(kind: str):
        if narrowed is None:
            return SEARCHABLE[kind]

        def narrowed_records(among: list[int] | None) -> QuerySet:
            kept = narrowed if among is None else narrowed.filter(pk__in=among)
            # Asked record by record (EXISTS), never as the whole public set.
            return kept.filter(Exists(SEARCHABLE[kind](among).filter(pk=OuterRef("pk"))))

        return narrowed_records

    return engine.find(query, {kind: records(kind) for kind in kinds})


# At a glance -------------------------------------------------------------------------
#
# The rules of ``tracker.attention``, in SQL, over the public records only.


def _verified_lately(now: dt.datetime) -> QuerySet[ComplianceEvent]:
    """Each commitment's published violation claims verified and dated within the recent days."""
    since = rules.recent_since(now)
    return events().filter(
        Q(occurred_on__gte=since) | Q(occurred_until_on__gte=since),
        commitment=OuterRef("pk"),
        kind__in=VIOLATION_KINDS,
        verification=Verification.VERIFIED,
    )


def attention(now: dt.datetime) -> dict[str, Q]:
    """Conditions on ``commitments().annotate(**working_window())``, by reason for attention.

    "soon": it ends, or falls due, within ``attention.SOON``; "overdue": a
    deliverable's or a process's due date has passed while it is open;
    "verified": a published violation claim of it, verified, is dated (or
    reaches) within the last ``attention.RECENT_DAYS`` days.
    """
    soon = now + rules.SOON
    ending = Q(status__in=rules.LIVE_STATUSES, working_ends_at__gt=now, working_ends_at__lte=soon)
    falling_due = Q(
        shape__in=rules.DUE_SHAPES,
        status__in=rules.OPEN_STATUSES,
        working_due_at__gt=now,
        working_due_at__lte=soon,
    )
    overdue = Q(shape__in=rules.DUE_SHAPES, status__in=rules.OPEN_STATUSES, working_due_at__lte=now)
    return {
        "soon": ending | falling_due,
        "overdue": overdue,
        "verified": Q(Exists(_verified_lately(now))),
    }


def at_a_glance(now: dt.datetime) -> dict[str, int]:
    """The board's headline, counted in one query over the public record.

    How many commitments there are, how many are in force, how many end or
    fall due within seven days, how many are overdue, and how many published
    violation claims were verified and are dated within the last thirty days.
    """
    verified_lately = (
        _verified_lately(now)
        .order_by()
        .values("commitment")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    reasons = attention(now)
    counted = (
        commitments()
        .annotate(**working_window())
        .aggregate(
            total=models.Count("pk"),
            in_force=models.Count("pk", filter=Q(status=Status.IN_FORCE)),
            soon=models.Count("pk", filter=reasons["soon"]),
            overdue=models.Count("pk", filter=reasons["overdue"]),
            verified=models.Sum(Subquery(verified_lately, output_field=models.IntegerField())),
        )
    )
    return {name: value or 0 for name, value in counted.items()}
