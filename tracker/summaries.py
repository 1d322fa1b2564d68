"""Keeping each commitment's compliance summary up to date.

The board, the commitment page and the open data show, for every
commitment, counts of its published events by kind, verification and
claimant, and the worst report of each day. Grouping a hundred thousand
claims on every request would make the pages slower the more is reported;
so each commitment's counts are kept in a ``ComplianceSummary`` row, rebuilt
whenever one of its events, or what a delivery handed over, is saved or
deleted, inside the same transaction.
Whoever changes an event (the services, the admin, a test's factory) changes
the summary with it, and a change that rolls back takes its summary along.

Many changes at once (an import) can wait for the end of the block:
``with summaries.deferred(): ...`` rebuilds each commitment touched once.
A migration that changes what a summary holds ends by building them all
again (``build`` takes the migration's models).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db.models import Count, F, Max, Min, Sum
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from tracker import clock
from tracker.models import (
    VERIFIED,
    ComplianceEvent,
    ComplianceSummary,
    DeliveredQuantity,
    violation_standing,
)

SUMMARY_LENGTH = 80
# A tick's summary is kept in every language: {"en": …, "uk": …, "ru": …}.
SUMMARY_COLUMNS = [f"summary_{language}" for language in settings.MODELTRANSLATION_LANGUAGES]

# Commitments rebuilt together: few queries for many, yet after an import that
# touched every commitment, memory holds the counts of a few at a time.
REFRESH_BATCH = 10

_waiting = threading.local()


def _published(events, commitment_ids: Iterable[int]):
    return events.objects.filter(commitment__in=commitment_ids, is_published=True)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def build(
    commitment_ids: list[int], *, events=ComplianceEvent, summary=ComplianceSummary
) -> list[ComplianceSummary]:
    """Count the published events of these commitments, in five grouped queries.

    ``events`` and ``summary`` may be a migration's historical models.
    """
    now = timezone.now()
    summaries = {pk: summary(commitment_id=pk, refreshed_at=now) for pk in commitment_ids}
    published = _published(events, commitment_ids).order_by()
    for pk, kind, verification, claimant, accused, n in published.values_list(
        "commitment_id", "kind", "verification", "claimant_id", "accused_id"
    ).annotate(n=Count("pk")):
        summaries[pk].cells.append([kind, verification, claimant, n, accused])
    days = (
        published.values_list(
            "commitment_id", "occurred_on", "occurred_until_on", "kind", "verification"
        )
        .annotate(
            n=Count("pk"),
            first_at=Min("occurred_at"),
            **{f"first_{column}": Min(column) for column in SUMMARY_COLUMNS},
        )
        .order_by("commitment_id", "occurred_on", "kind", "verification")
    )
    ticks: dict[int, dict[tuple, list]] = {pk: {} for pk in commitment_ids}
    for pk, first, last, kind, verification, n, first_at, *texts in days:
        # The summary in each language it has, for a tick standing for one event.
        text = {
            column.removeprefix("summary_"): value[:SUMMARY_LENGTH]
            for column, value in zip(SUMMARY_COLUMNS, texts, strict=True)
            if value
        }
        standing = violation_standing(kind, verification) or ""
        tick = ticks[pk].setdefault(
            (first, standing), [first.isoformat(), standing, 0, first_at, text]
        )
        tick[2] += n
        if first_at < tick[3]:
            tick[3], tick[4] = first_at, text
        mark_worst_days(summaries[pk].worst_days, first, last, kind, verification)
    for pk, by_day in ticks.items():
        summaries[pk].days = [
            [day, standing, n, first_at.isoformat(), text]
            for day, standing, n, first_at, text in by_day.values()
        ]
    claims = published.exclude(
        in_response_to__is_published=True, in_response_to__commitment=F("commitment")
    )
    for pk, n in claims.values_list("commitment_id").annotate(n=Count("pk")):
        summaries[pk].claims = n
    for pk, last in published.values_list("commitment_id").annotate(last=Max("occurred_at")):
        summaries[pk].last_event_at = last
    handed_over = (
        published.filter(quantities__isnull=False)
        .values_list("commitment_id", "quantities__received_by_id", "quantities__unit")
        .annotate(total=Sum("quantities__quantity"))
        .order_by("commitment_id", "quantities__received_by_id", "quantities__unit")
    )
    for pk, party, unit, total in handed_over:
        summaries[pk].handovers.append([party, unit, total])
    return list(summaries.values())


def mark_worst_days(worst: dict, first: dt.date, last: dt.date | None, kind, verification):
    """Note a report on the days it covers, where it is worse than what they had.

    A report of one day is kept under that day ("2025-03-19"), a report
    about a period under the period, as ISO 8601 writes one
    ("2025-03-18/2025-04-16"): a summary grows with its reports, never with
    the days they cover, so a claim about a century is one entry, not
    36,525. ``standings_between`` reads them back for the days a strip draws.
    """
    standing = violation_standing(kind, verification)
    if standing is None:
        return
    last = max(first, last or first)
    key = first.isoformat() if last == first else f"{first.isoformat()}/{last.isoformat()}"
    if worst.get(key) != VERIFIED:
        worst[key] = standing


def standings_between(worst: dict[str, str], first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """{day: "alleged" or "verified"} for each day from ``first`` to ``last`` that a mark covers.

    ``worst`` is as ``mark_worst_days`` keeps it; the days read are those
    asked for, however long the periods marked.
    """
    days: dict[dt.date, str] = {}
    for key, standing in worst.items():
        start, _slash, end = key.partition("/")
        day = max(dt.date.fromisoformat(start), first)
        until = min(dt.date.fromisoformat(end or start), last)
        while day <= until:
            if days.get(day) != VERIFIED:
                days[day] = standing
            day += dt.timedelta(days=1)
    return days


def refresh(commitment_ids: Iterable[int]) -> None:
    """Rebuild the summaries of these commitments now, or at the end of a ``deferred`` block."""
    ids = sorted({pk for pk in commitment_ids if pk is not None})
    if not ids:
        return
    waiting = getattr(_waiting, "ids", None)
    if waiting is not None:
        waiting.update(ids)
        return
    for start in range(0, len(ids), REFRESH_BATCH):
        store(build(ids[start : start + REFRESH_BATCH]))


def store(summaries: list[ComplianceSummary], model=ComplianceSummary) -> None:
    counted = [f.name for f in model._meta.concrete_fields if not f.primary_key]
    model.objects.bulk_create(
        summaries, update_conflicts=True, unique_fields=["commitment"], update_fields=counted
    )


def refresh_all(batch: int = 500) -> int:
    """Rebuild every commitment's summary; for after data was written around the models."""
    from tracker.models import Commitment

    ids = list(Commitment.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        refresh(ids[start : start + batch])
    return len(ids)


@contextmanager
def deferred() -> Iterator[None]:
    """Rebuild each commitment touched inside the block once, at its end."""
    if getattr(_waiting, "ids", None) is not None:
        yield  # already deferred by an outer block
        return
    _waiting.ids = set()
    try:
        yield
        ids = _waiting.ids
    finally:
        _waiting.ids = None
    refresh(ids)


def event_saved(sender, instance: ComplianceEvent, raw: bool = False, **kwargs) -> None:
    refresh([instance.commitment_id, getattr(instance, "stored_commitment_id", None)])
    instance.stored_commitment_id = instance.commitment_id


def event_deleted(sender, instance: ComplianceEvent, **kwargs) -> None:
    refresh([instance.commitment_id])


def quantity_changed(sender, instance: DeliveredQuantity, **kwargs) -> None:
    """What a delivery handed over is in the summary too."""
    commitment_id = (
        ComplianceEvent.objects.filter(pk=instance.event_id)
        .values_list("commitment_id", flat=True)
        .first()
    )
    refresh([commitment_id])


def connect() -> None:
    post_save.connect(event_saved, sender=ComplianceEvent, dispatch_uid="summaries.saved")
    post_delete.connect(event_deleted, sender=ComplianceEvent, dispatch_uid="summaries.deleted")
    post_save.connect(quantity_changed, sender=DeliveredQuantity, dispatch_uid="summaries.handed")
    post_delete.connect(
        quantity_changed, sender=DeliveredQuantity, dispatch_uid="summaries.unhanded"
    )


def worst_days(
    summary: ComplianceSummary | None, first: dt.date, last: dt.date
) -> dict[dt.date, str]:
    """{day: "alleged" or "verified"} from the summary, for the days a strip draws."""
    if summary is None:
        return {}
    return standings_between(summary.worst_days, first, last)


def of_reports(
    commitment_id: int, reports: Iterable[dict], at: dt.datetime, handovers=()
) -> ComplianceSummary:
    """A summary of these claims, kept nowhere: what a past day's page counts.

    Each report holds a claim's ``kind``, ``verification``, ``claimant_id``,
    ``accused_id``, ``occurred_at``, ``occurred_until``, ``precision``, and
    may hold ``in_response_to_id`` and its summary in each language; the
    summary is the one ``build`` keeps, from plain values rather than grouped
    in SQL. ``handovers`` are its ``[party, unit, total]`` rows.
    """
    summary = ComplianceSummary(commitment_id=commitment_id, refreshed_at=at)
    reports = list(reports)
    shown = {report.get("id") for report in reports}
    cells: dict[tuple, int] = {}
    ticks: dict[tuple, list] = {}
    for report in reports:
        kind, verification = report["kind"], report["verification"]
        cell = (kind, verification, report["claimant_id"], report["accused_id"])
        cells[cell] = cells.get(cell, 0) + 1
        first = clock.calendar_day(report["occurred_at"], report["precision"])
        until = report["occurred_until"]
        last = clock.calendar_day(until, report["precision"]) if until else None
        mark_worst_days(summary.worst_days, first, last, kind, verification)
        standing = violation_standing(kind, verification) or ""
        text = {
            column.removeprefix("summary_"): report[column][:SUMMARY_LENGTH]
            for column in SUMMARY_COLUMNS
            if report.get(column)
        }
        tick = ticks.setdefault(
            (first, standing), [first.isoformat(), standing, 0, report["occurred_at"], text]
        )
        tick[2] += 1
        if report["occurred_at"] < tick[3]:
            tick[3], tick[4] = report["occurred_at"], text
        if summary.last_event_at is None or report["occurred_at"] > summary.last_event_at:
            summary.last_event_at = report["occurred_at"]
        if report.get("in_response_to_id") is None or report["in_response_to_id"] not in shown:
            summary.claims += 1
    summary.cells = [[k, v, c, n, a] for (k, v, c, a), n in cells.items()]
    summary.days = [
        [day, standing, n, first_at.isoformat(), text]
        for day, standing, n, first_at, text in sorted(ticks.values(), key=lambda t: t[0])
    ]
    summary.handovers = [list(row) for row in handovers]
    return summary
