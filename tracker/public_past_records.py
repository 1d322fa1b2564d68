"""What the downloads make of the past: the records public at the end of a day, whole.

The files under /data/, the API and the feeds take ``?as_of=``. They read
the same rows as a past day's pages, from ``tracker.public_past`` (each
kind's ``*_versions``: a record is shown as its version then when that
version was published, with its parents', and it is public today; withdrawn
since, it is left out), which the files' and the API's filters narrow as
they narrow today's records (``tracker.opendata.filters``), by the values
each record had then. What is here is only what a download gives beside a
page: the parties named then, the values a large file joins in the same
query as each row, and the records rebuilt a chunk at a time with
everything a file's columns and the API's fields read.

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
from django.db.models import F, OuterRef, QuerySet, Subquery, prefetch_related_objects

from tracker import public, public_past
from tracker.models import (
    Agreement,
    Commitment,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Reading,
    Source,
)

# The rows a download reads beside those of ``tracker.public_past`` ---------------------


def parties(moment: dt.datetime) -> QuerySet:
    """The parties the records shown at ``moment`` name, each as it stood then."""
    shown_events = public_past.event_versions(moment).order_by()
    named = set(shown_events.values_list("claimant_id", flat=True))
    named |= set(shown_events.values_list("accused_id", flat=True))
    named |= set(public_past.reading_versions(moment).values_list("read_by_id", flat=True))
    named |= set(public_past.role_versions(moment).values_list("party_id", flat=True))
    named |= set(
        _agreement_parties()
        .objects.filter(history_id__in=public_past.agreement_versions(moment).values("history_id"))
        .values_list("party_id", flat=True)
    )
    given = handover_versions(moment, event_id__in=shown_events.values("id"))
    named |= set(given.values_list("received_by_id", flat=True))
    named.discard(None)
    return public_past.versions(Party, moment, id__in=named).filter(
        id__in=public.parties().values("pk")
    )


def handover_versions(moment: dt.datetime, **filters) -> QuerySet:
    """What each delivery handed over, as it stood at ``moment``.

    Whether it was shown is its claim's to say: ask for those of shown claims.
    """
    return public_past.versions(DeliveredQuantity, moment, **filters)


def shown_among(records: Iterable[str], moment: dt.datetime | None) -> set[str]:
    """Which of ``records``, named as the changelog names them ("event-12"), were shown then.

    Without ``moment``, which are public today. The changelog reads each
    record's changes by whether it is public today; a past day's log keeps
    only those of the records shown at its end.
    """
    then = {
        "agreement": public_past.agreement_versions,
        "commitment": public_past.commitment_versions,
        "reading": public_past.reading_versions,
        "event": public_past.event_versions,
    }
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


def answered_event_id(moment: dt.datetime):
    """The claim an event answers, named only while that claim was shown at ``moment`` too."""
    shown = public_past.event_versions(moment).order_by().filter(id=OuterRef("in_response_to_id"))
    return Subquery(shown.values("id")[:1])


# Records rebuilt from a page or a chunk of history rows --------------------------------


def commitment_records(versions: Iterable, moment: dt.datetime) -> list[Commitment]:
    """Commitments as they stood at ``moment``, with what the files and the API read of them.

    Each carries its agreement then (``public_past.as_commitments``), its
    working window then, its roles then (as ``public_past.roles``), the
    commitment it renews (``public_renews``, while that one was shown too)
    and the picture of the claims shown then. Records are named by today's
    slugs.
    """
    records = public_past.as_commitments(versions, moment)
    ids = [commitment.pk for commitment in records]
    slugs = dict(public.commitments().filter(pk__in=ids).values_list("pk", "slug"))
    agreement_slugs = dict(
        public.agreements()
        .filter(pk__in={commitment.agreement.pk for commitment in records})
        .values_list("pk", "slug")
    )
    renewed = {commitment.renews_id for commitment in records if commitment.renews_id}
    renewed_slugs = dict(
        public.commitments()
        .filter(pk__in=public_past.commitment_versions(moment, id__in=renewed).values("id"))
        .values_list("pk", "slug")
    )
    played = public_past.roles(ids, moment)
    cells: Counter = Counter(
        (claim.commitment_id, claim.kind, claim.verification, claim.claimant_id, claim.accused_id)
        for claim in public_past.counted_claims(ids, moment)
    )
    for commitment in records:
        agreement = commitment.agreement
        agreement.slug = agreement_slugs.get(agreement.pk, agreement.slug)
        commitment.public_renews = renewed_slugs.get(commitment.renews_id)
        commitment.slug = slugs.get(commitment.pk, commitment.slug)
        commitment._prefetched_objects_cache = {"roles": played.get(commitment.pk, [])}
        commitment._state.fields_cache["compliance_summary"] = SimpleNamespace(
            cells=[
                [kind, verification, claimant, count, accused]
                for (pk, kind, verification, claimant, accused), count in cells.items()
                if pk == commitment.pk
            ],
            last_event_at=None,
        )
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
    shown_answered = set(
        public_past.event_versions(moment).filter(id__in=answered).values_list("id", flat=True)
    )
    handovers: dict[int, list] = {}
    given = handover_versions(moment, event_id__in=[row.id for row in rows])
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
    for commitment in public_past.commitment_versions(
        moment, agreement_id__in=[row.id for row in rows]
    ):
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
