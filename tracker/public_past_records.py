"""What the downloads read of the past: the records public at the end of a day, to filter.

The files under /data/, the API and the feeds take ``?as_of=``; they read the
past here, by the rules of ``tracker.public_past`` (a record is shown as its
version then when that version was published, with its parents', and it is
public today; withdrawn since, it is left out). Kept beside that module for
its size: the pages read one commitment or one board, the downloads read
whole tables, so here each kind of record is a queryset of history rows,
which the files' and the API's filters narrow as they narrow today's records
(``tracker.opendata.filters``), by the values each record had then.

Records are named by their ids and today's slugs, the pages' addresses, so
a past file's keys match the other past files and the site. Everything else
is the version then: a commitment's status, texts and working window, a
claim's verification, a reading's terms, the sources each version cited and
the handovers a delivery recorded. Parties are those the records shown then
name, as they stood then.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from types import SimpleNamespace

from django.apps import apps
from django.db import models
from django.db.models import F, OuterRef, QuerySet, Subquery, Value, prefetch_related_objects
from django.db.models.functions import Cast, Concat

from tracker import public, public_past
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Reading,
    Source,
)

# Each kind's history rows ---------------------------------------------------------------


def agreements(moment: dt.datetime) -> QuerySet:
    """The history rows of the agreements shown at ``moment``, each its version then."""
    return public_past.shown(Agreement, public.agreements(), moment)


def commitments(moment: dt.datetime) -> QuerySet:
    """The commitments shown at ``moment``: published then, under an agreement published then."""
    return public_past.shown(Commitment, public.commitments(), moment).filter(
        agreement_id__in=agreements(moment).values("id")
    )


def readings(moment: dt.datetime) -> QuerySet:
    return public_past.shown(Reading, public.readings(), moment).filter(
        commitment_id__in=commitments(moment).values("id")
    )


def events(moment: dt.datetime) -> QuerySet:
    return public_past.shown(ComplianceEvent, public.events(), moment).filter(
        commitment_id__in=commitments(moment).values("id")
    )


def parties(moment: dt.datetime) -> QuerySet:
    """The parties the records shown at ``moment`` name, each as it stood then."""
    shown_events = events(moment)
    named = set(shown_events.values_list("claimant_id", flat=True))
    named |= set(shown_events.values_list("accused_id", flat=True))
    named |= set(readings(moment).values_list("read_by_id", flat=True))
    named |= set(roles(moment).values_list("party_id", flat=True))
    named |= set(
        _agreement_parties()
        .objects.filter(history_id__in=agreements(moment).values("history_id"))
        .values_list("party_id", flat=True)
    )
    named |= set(
        public_past.versions(
            DeliveredQuantity, moment, event_id__in=shown_events.values("id")
        ).values_list("received_by_id", flat=True)
    )
    named.discard(None)
    return public_past.versions(Party, moment, id__in=named).filter(
        id__in=public.parties().values("pk")
    )


def roles(moment: dt.datetime) -> QuerySet:
    """The roles of the commitments shown at ``moment`` (today's public roles, as they stood)."""
    return public_past.versions(
        CommitmentParty,
        moment,
        commitment_id__in=commitments(moment).values("id"),
        id__in=public.roles().values("pk"),
    )


def shown_among(records: Iterable[str], moment: dt.datetime | None) -> set[str]:
    """Which of ``records``, named as the changelog names them ("event-12"), were shown then.

    Without ``moment``, which are public today. The changelog reads each
    record's changes by whether it is public today; a past day's log keeps
    only those of the records shown at its end.
    """
    then = {"agreement": agreements, "commitment": commitments, "reading": readings}
    then["event"] = events
    today = {"agreement": public.agreements, "commitment": public.commitments}
    today |= {"reading": public.readings, "event": public.events}
    wanted: dict[str, set[int]] = {}
    for name in records:
        kind, _dash, pk = name.rpartition("-")
        if kind in then and pk.isdigit():
            wanted.setdefault(kind, set()).add(int(pk))
    found = set()
    for kind, ids in wanted.items():
        rows = today[kind]() if moment is None else then[kind](moment)
        found |= {f"{kind}-{pk}" for pk in rows.filter(id__in=ids).values_list("id", flat=True)}
    return found


def _agreement_parties():
    return apps.get_model("tracker", "HistoricalAgreement_parties")


def _cited(model):
    """The history of a model's sources: which sources each of its versions cited."""
    return apps.get_model("tracker", f"Historical{model.__name__}_sources")


# Values computed in the same query as each row, for the large files -------------------


def joined_source_urls(model) -> public.Joined:
    """The public sources each version cited then, as ``public.joined_source_urls`` joins them."""
    links = _cited(model).objects.filter(
        history_id=OuterRef("history_id"), source__in=public.sources()
    )
    return public.Joined(
        links.order_by("source_id").annotate(value=F("source__url")).values("value")
    )


def joined_handovers(moment: dt.datetime) -> public.Joined:
    """Each delivery's handovers as they stood at ``moment``, as ``public.joined_handovers``."""
    given = public_past.versions(DeliveredQuantity, moment).filter(event_id=OuterRef("id"))
    value = Concat(
        "received_by__slug",
        Value(": "),
        Cast("quantity", models.TextField()),
        Value(" "),
        "unit_en",
        output_field=models.TextField(),
    )
    given = given.order_by("received_by__name_en", "id")
    return public.Joined(given.annotate(value=value).values("value"))


def answered_event_id(moment: dt.datetime):
    """The claim an event answers, named only while that claim was shown at ``moment`` too."""
    return Subquery(events(moment).filter(id=OuterRef("in_response_to_id")).values("id")[:1])


# Records rebuilt from a page or a chunk of history rows --------------------------------


def commitment_records(versions: Iterable, moment: dt.datetime) -> list[Commitment]:
    """Commitments as they stood at ``moment``, with what the files and the API read of them.

    Each carries its agreement then, its working window then, its roles then
    (as ``roles``), the commitment it renews (``public_renews``, while that
    one was shown too) and the picture of the claims shown then.
    """
    rows = list(versions)
    ids = [row.id for row in rows]
    agreement_rows = agreements(moment).filter(id__in={row.agreement_id for row in rows})
    by_agreement = {row.id: public_past.as_record(row) for row in agreement_rows}
    slugs = dict(public.commitments().filter(pk__in=ids).values_list("pk", "slug"))
    agreement_slugs = dict(
        public.agreements().filter(pk__in=by_agreement).values_list("pk", "slug")
    )
    renewed = {row.renews_id for row in rows if row.renews_id}
    renewed_slugs = dict(
        public.commitments()
        .filter(pk__in=commitments(moment).filter(id__in=renewed).values("id"))
        .values_list("pk", "slug")
    )
    played = public_past.roles(ids, moment)
    cells: Counter = Counter(
        (claim.commitment_id, claim.kind, claim.verification, claim.claimant_id, claim.accused_id)
        for claim in public_past.counted_claims(ids, moment)
    )
    records = []
    for row in rows:
        commitment = public_past.as_record(row)
        agreement = by_agreement[row.agreement_id]
        agreement.slug = agreement_slugs.get(agreement.pk, agreement.slug)
        commitment.agreement = agreement
        commitment.slug = slugs.get(commitment.pk, commitment.slug)
        commitment.public_renews = renewed_slugs.get(row.renews_id)
        commitment._prefetched_objects_cache = {"roles": played.get(row.id, [])}
        commitment._state.fields_cache["compliance_summary"] = SimpleNamespace(
            cells=[
                [kind, verification, claimant, count, accused]
                for (pk, kind, verification, claimant, accused), count in cells.items()
                if pk == row.id
            ],
            last_event_at=None,
        )
        records.append(commitment)
    public_past.with_working_windows(records, moment)
    return records


def _cited_sources(records: list) -> None:
    """Give each reading, claim or agreement the public sources its version cited then."""
    if not records:
        return
    public_past.sources(records)
    sources: list[Source] = [source for record in records for source in record.cited]
    prefetch_related_objects(sources, public.kept_captures(), "link")
    for record in records:
        cache = getattr(record, "_prefetched_objects_cache", {})
        record._prefetched_objects_cache = {**cache, "sources": record.cited}


def reading_records(versions: Iterable, moment: dt.datetime) -> list[Reading]:
    rows = list(versions)
    records = []
    for row in rows:
        reading = public_past.as_record(row)
        reading.commitment = row.commitment
        reading.read_by = row.read_by
        records.append(reading)
    _cited_sources(records)
    return records


def event_records(versions: Iterable, moment: dt.datetime) -> list[ComplianceEvent]:
    rows = list(versions)
    answered = {row.in_response_to_id for row in rows if row.in_response_to_id}
    shown_answered = set(events(moment).filter(id__in=answered).values_list("id", flat=True))
    handovers: dict[int, list] = {}
    given = public_past.versions(DeliveredQuantity, moment, event_id__in=[row.id for row in rows])
    for version in given.select_related("received_by").order_by("received_by__name_en", "id"):
        quantity = public_past.as_record(version)
        quantity.received_by = version.received_by
        handovers.setdefault(version.event_id, []).append(quantity)
    records = []
    for row in rows:
        event = public_past.as_record(row)
        event.commitment = row.commitment
        event.claimant = row.claimant
        event.accused = row.accused
        event.public_in_response_to = (
            row.in_response_to_id if row.in_response_to_id in shown_answered else None
        )
        event._prefetched_objects_cache = {"quantities": handovers.get(row.id, [])}
        records.append(event)
    _cited_sources(records)
    return records


def agreement_records(versions: Iterable, moment: dt.datetime) -> list[Agreement]:
    """Agreements as they stood at ``moment``, with the parties and commitments shown then."""
    rows = list(versions)
    named: dict[int, list[int]] = {}
    for history_id, party_id in (
        _agreement_parties()
        .objects.filter(history_id__in=[row.history_id for row in rows])
        .values_list("history_id", "party_id")
    ):
        named.setdefault(history_id, []).append(party_id)
    wanted = {pk for ids in named.values() for pk in ids}
    by_pk = {p.pk: p for p in public.parties().filter(pk__in=wanted)}
    under: dict[int, list] = {}
    for commitment in commitments(moment).filter(agreement_id__in=[row.id for row in rows]):
        under.setdefault(commitment.agreement_id, []).append(commitment)
    slugs = dict(
        public.commitments()
        .filter(pk__in=[c.id for listed in under.values() for c in listed])
        .values_list("pk", "slug")
    )
    today = dict(public.agreements().filter(pk__in=[r.id for r in rows]).values_list("pk", "slug"))
    records = []
    for row in rows:
        agreement = public_past.as_record(row)
        agreement.slug = today.get(agreement.pk, agreement.slug)
        parties_then = sorted(
            (by_pk[pk] for pk in named.get(row.history_id, []) if pk in by_pk),
            key=lambda p: p.name,
        )
        listed = sorted(under.get(row.id, []), key=lambda c: (c.title_en, c.id))
        agreement._prefetched_objects_cache = {
            "parties": parties_then,
            "commitments": [SimpleNamespace(slug=slugs[c.id]) for c in listed if c.id in slugs],
        }
        records.append(agreement)
    _cited_sources(records)
    return records


def party_records(versions: Iterable, moment: dt.datetime) -> list[Party]:
    return [public_past.as_record(row) for row in versions]
