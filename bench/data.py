"""A realistic data set at a chosen scale, for measuring the tracker against its own floor.

Everything is written with ``bulk_create`` in batches, and the history tables
with the history library's bulk helpers, so a million events take minutes,
not hours. The data is made from a fixed seed: two runs at the same scale
build the same records, so two measurements compare like with like.

The shape follows the real thing: a few dozen parties, agreements that each
bind a pair of parties under a mediator, commitments of every shape and
status, working readings and the parties' competing readings, and compliance
events that are mostly allegations, with a few responses, deliveries with
quantities by side, and the occasional aggregate count. One commitment
carries a tenth of all events, like the energy pause of spring 2025 did.

Nothing here goes through ``tracker.services``: the services write one record
at a time and check every rule, which is right for people and far too slow
for a million rows. The records are made valid by construction instead.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TextIO

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from bench.names import HEAVY_SLUG
from tracker import summaries
from tracker.clock import calendar_day
from tracker.models import (
    Agreement,
    Category,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    EventKind,
    Party,
    Reading,
    Source,
    StatusChange,
    Verification,
)
from tracker.search import index
from tracker.status import Shape, Status

SEED = 20250318
BATCH_SIZE = 5000
BENCH_REASON = "Bench data"
START = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
# One claim in twenty is checked again after it was recorded, within three months: a
# past day's pages then show claims whose later versions differ, as a tracker in use has.
CORRECTED_SHARE = 0.05
CORRECTED_WITHIN_DAYS = 90


@dataclass(frozen=True)
class Scale:
    """How much data to make. The heavy commitment gets ``events // 10`` of the events."""

    name: str
    parties: int
    agreements: int
    commitments: int
    events: int

    @property
    def heavy_events(self) -> int:
        return self.events // 10


SCALES = {
    "full": Scale("full", parties=30, agreements=200, commitments=2000, events=1_000_000),
    "small": Scale("small", parties=30, agreements=20, commitments=200, events=100_000),
    "tiny": Scale("tiny", parties=10, agreements=2, commitments=20, events=2000),
}


PARTIES = [
    ("Russia", "RU", "state", "Europe/Moscow"),
    ("Ukraine", "UA", "state", "Europe/Kyiv"),
    ("United States", "US", "state", "America/New_York"),
    ("Saudi Arabia", "SA", "state", "Asia/Riyadh"),
    ("United Arab Emirates", "UAE", "state", "Asia/Dubai"),
    ("Türkiye", "TR", "state", "Europe/Istanbul"),
    ("Qatar", "QA", "state", "Asia/Qatar"),
    ("International Committee of the Red Cross", "ICRC", "organisation", "Europe/Zurich"),
    ("United Nations", "UN", "organisation", "America/New_York"),
    ("International Atomic Energy Agency", "IAEA", "organisation", "Europe/Vienna"),
    ("OSCE", "OSCE", "organisation", "Europe/Vienna"),
    ("European Union", "EU", "organisation", "Europe/Brussels"),
    ("France", "FR", "state", "Europe/Paris"),
    ("Germany", "DE", "state", "Europe/Berlin"),
    ("United Kingdom", "UK", "state", "Europe/London"),
    ("Poland", "PL", "state", "Europe/Warsaw"),
    ("Belarus", "BY", "state", "Europe/Minsk"),
    ("Moldova", "MD", "state", "Europe/Chisinau"),
    ("Romania", "RO", "state", "Europe/Bucharest"),
    ("Bulgaria", "BG", "state", "Europe/Sofia"),
    ("Georgia", "GE", "state", "Asia/Tbilisi"),
    ("Vatican", "VA", "state", "Europe/Rome"),
    ("Switzerland", "CH", "state", "Europe/Zurich"),
    ("Norway", "NO", "state", "Europe/Oslo"),
    ("China", "CN", "state", "Asia/Shanghai"),
    ("India", "IN", "state", "Asia/Kolkata"),
    ("Brazil", "BR", "state", "America/Sao_Paulo"),
    ("South Africa", "ZA", "state", "Africa/Johannesburg"),
    ("Kazakhstan", "KZ", "state", "Asia/Almaty"),
    ("Indonesia", "ID", "state", "Asia/Jakarta"),
]
HEAVY_TITLE_UK = "Пауза в ударах по енергетичній інфраструктурі"
HEAVY_TITLE_RU = "Пауза в ударах по энергетической инфраструктуре"
VENUES = ["Riyadh", "Istanbul", "Geneva", "Jeddah", "Abu Dhabi", "Doha", "Vatican City", "Minsk"]
# Places and the ISO 3166-2 codes of their regions.
REGIONS = [
    ("Kharkiv", "UA-63"),
    ("Odesa", "UA-51"),
    ("Zaporizhzhia", "UA-23"),
    ("Dnipro", "UA-12"),
    ("Kursk", "RU-KRS"),
    ("Belgorod", "RU-BEL"),
    ("Kherson", "UA-65"),
    ("Sumy", "UA-59"),
]
PUBLISHERS = ["Reuters", "Kyiv Independent", "TASS", "AP", "Ukrinform", "Interfax", "BBC"]

# Roughly how often each kind of event is reported; allegations dominate.
EVENT_KINDS = [
    (EventKind.ALLEGED_VIOLATION, 60),
    (EventKind.CONFIRMED_VIOLATION, 5),
    (EventKind.COMPLIANCE_CONFIRMED, 8),
    (EventKind.DELIVERY, 3),
    (EventKind.STATEMENT, 20),
    (EventKind.RETRACTION, 1),
    (EventKind.OTHER, 3),
]
VERIFICATIONS = [
    (Verification.UNVERIFIED, 70),
    (Verification.CORROBORATED, 10),
    (Verification.VERIFIED, 8),
    (Verification.DISPUTED, 8),
    (Verification.REFUTED, 3),
    (Verification.RETRACTED, 1),
]
SHAPES = [(Shape.WINDOW, 50), (Shape.DELIVERABLE, 30), (Shape.PROCESS, 20)]
STATUSES = {
    Shape.WINDOW: [
        (Status.IN_FORCE, 40),
        (Status.EXPIRED, 30),
        (Status.SUSPENDED, 5),
        (Status.COLLAPSED, 10),
        (Status.ANNOUNCED, 10),
        (Status.SUPERSEDED, 5),
    ],
    Shape.DELIVERABLE: [(Status.IN_FORCE, 40), (Status.FULFILLED, 40), (Status.ANNOUNCED, 20)],
    Shape.PROCESS: [(Status.IN_FORCE, 60), (Status.ANNOUNCED, 30), (Status.COLLAPSED, 10)],
}


class Progress:
    """A plain progress bar on stderr: what is being made, how far, and for how long."""

    WIDTH = 30

    def __init__(self, label: str, total: int, stream: TextIO | None = None):
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.draw()

    def advance(self, n: int) -> None:
        self.done += n
        self.draw()

    def draw(self) -> None:
        filled = self.WIDTH * self.done // self.total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r  {self.label:<18} [{bar}] {self.done:>9,}/{self.total:,}  {elapsed:6.1f} s"
        )
        self.stream.flush()

    def finish(self) -> float:
        elapsed = time.monotonic() - self.started
        self.stream.write("\n")
        self.stream.flush()
        return elapsed


def weighted(rng: random.Random, choices: Sequence[tuple]) -> object:
    values = [value for value, _weight in choices]
    weights = [weight for _value, weight in choices]
    return rng.choices(values, weights)[0]


def batches(items: Sequence, size: int = BATCH_SIZE) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def save_with_history(model, objects: list, *, label: str, stream: TextIO | None = None) -> list:
    """Insert ``objects`` and one history row each, a batch at a time, with a progress bar."""
    progress = Progress(label, len(objects), stream)
    saved = []
    for batch in batches(objects):
        with transaction.atomic():
            saved.extend(
                bulk_create_with_history(
                    list(batch), model, batch_size=1000, default_change_reason=BENCH_REASON
                )
            )
        progress.advance(len(batch))
    progress.finish()
    return saved


def save_plain(model, objects: list, *, label: str, stream: TextIO | None = None) -> list:
    """Insert rows that have no history of their own (link tables, the status log)."""
    progress = Progress(label, len(objects), stream)
    saved = []
    for batch in batches(objects, BATCH_SIZE * 4):
        with transaction.atomic():
            saved.extend(model.objects.bulk_create(list(batch), batch_size=2000))
        progress.advance(len(batch))
    progress.finish()
    return saved


# The page-scale data set ----------------------------------------------------------


def generate(scale: Scale, stream: TextIO | None = None) -> dict[str, float]:
    """Build the whole data set; returns the seconds each step took, for the report."""
    rng = random.Random(SEED)
    timings: dict[str, float] = {}
    started = time.monotonic()

    parties = make_parties(scale, stream)
    sources = make_sources(rng, max(scale.events // 20, 50), stream)
    agreements = make_agreements(rng, scale, parties, sources, stream)
    commitments = make_commitments(rng, scale, agreements, stream)
    make_roles(rng, commitments, agreements, stream)
    make_readings(rng, commitments, parties, sources, stream)
    timings["records"] = time.monotonic() - started

    events_started = time.monotonic()
    make_events(rng, scale, commitments, sources, stream)
    timings["events"] = time.monotonic() - events_started
    summaries_started = time.monotonic()
    # The events went in around the models, so their summaries are built here, once.
    summaries.refresh_all()
    timings["summaries"] = time.monotonic() - summaries_started
    search_started = time.monotonic()
    # The triggers indexed every row as it went in; the index is merged once, at the end.
    index.optimize()
    timings["search index"] = time.monotonic() - search_started
    timings["total"] = time.monotonic() - started
    return timings


def make_parties(scale: Scale, stream) -> list[Party]:
    parties = [
        Party(name=name, short_name=short, slug=short.lower(), kind=kind, time_zone=zone)
        for name, short, kind, zone in PARTIES[: scale.parties]
    ]
    return save_with_history(Party, parties, label="parties", stream=stream)


def make_sources(rng: random.Random, count: int, stream) -> list[Source]:
    sources = []
    for n in range(count):
        publisher = PUBLISHERS[n % len(PUBLISHERS)]
        published = (START + dt.timedelta(hours=n * 7 % 20000)).date()
        sources.append(
            Source(
                url=f"https://news.example.org/{publisher.lower().replace(' ', '-')}/{n}",
                title=f"{publisher}: report {n} on the ceasefire talks",
                publisher=publisher,
                language=rng.choice(["en", "uk", "ru"]),
                published_on=published,
                accessed_on=published,
            )
        )
    return save_with_history(Source, sources, label="sources", stream=stream)


def made(day: dt.date) -> dt.datetime:
    """When an agreement held on ``day``, and what it agreed, were recorded and published.

    The history is dated across the months the agreements span, as a tracker
    in use has it, so a past day's pages read a history that is not all today.
    """
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def make_agreements(rng, scale: Scale, parties, sources, stream) -> list[Agreement]:
    agreements = []
    for n in range(scale.agreements):
        venue = VENUES[n % len(VENUES)]
        agreements.append(
            Agreement(
                title=f"Round {n + 1} of talks in {venue}",
                slug=f"bench-round-{n + 1}",
                kind=rng.choice(Agreement.Kind.values),
                held_on=(START + dt.timedelta(days=n * 600 // max(scale.agreements, 1))).date(),
                venue=venue,
                summary=f"Delegations met in {venue} and agreed the commitments listed here.",
                is_published=(n % 20 != 19),
                internal_note="Checked against two transcripts.",
            )
        )
        agreements[-1]._history_date = made(agreements[-1].held_on)
    agreements = save_with_history(Agreement, agreements, label="agreements", stream=stream)
    # The first two parties are the sides; the mediator rotates through the rest.
    sides = parties[:2]
    mediators = parties[2:] or parties
    party_links, source_links = [], []
    for n, agreement in enumerate(agreements):
        agreement.sides = sides
        agreement.mediator = mediators[n % len(mediators)]
        for party in {*sides, agreement.mediator}:
            party_links.append(Agreement.parties.through(agreement=agreement, party=party))
        for source in rng.sample(sources, 2):
            source_links.append(Agreement.sources.through(agreement=agreement, source=source))
    save_plain(Agreement.parties.through, party_links, label="agreement parties", stream=stream)
    save_plain(Agreement.sources.through, source_links, label="agreement sources", stream=stream)
    return agreements


def make_commitments(rng, scale: Scale, agreements, stream) -> list[Commitment]:
    per_agreement = max(scale.commitments // max(len(agreements), 1), 1)
    commitments = []
    for n in range(scale.commitments):
        agreement = agreements[min(n // per_agreement, len(agreements) - 1)]
        heavy = n == 0
        shape = Shape.WINDOW if heavy else weighted(rng, SHAPES)
        status = Status.IN_FORCE if heavy else weighted(rng, STATUSES[shape])
        category = Category.ENERGY if heavy else rng.choice(Category.values)
        title = (
            "Pause in strikes on energy infrastructure"
            if heavy
            else (f"{Category(category).label.capitalize()} commitment {n + 1}")
        )
        commitment = Commitment(
            agreement=agreement,
            title=title,
            # The heavy one is translated, as the energy pause was, so searches in Cyrillic find it.
            title_uk=HEAVY_TITLE_UK if heavy else None,
            title_ru=HEAVY_TITLE_RU if heavy else None,
            slug=HEAVY_SLUG if heavy else f"bench-commitment-{n + 1}",
            category=category,
            shape=shape,
            terms=f"The parties undertake to keep commitment {n + 1} as worded in the joint "
            "statement, for the period and on the conditions given there.",
            conditions="Subject to a matching undertaking by the other side." if n % 3 else "",
            promised_quantity=rng.choice([175, 390, 1000]) if shape == Shape.DELIVERABLE else None,
            status=status,
            status_changed_at=dt.datetime.combine(agreement.held_on, dt.time(12), tzinfo=dt.UTC)
            + dt.timedelta(days=1),
            is_published=heavy or n % 25 != 24,
            internal_note="Wording differs between the two readouts.",
        )
        commitment.heavy = heavy
        commitment._history_date = made(agreement.held_on)
        commitments.append(commitment)
    saved = save_with_history(Commitment, commitments, label="commitments", stream=stream)
    changes = [
        StatusChange(
            commitment=c,
            from_status=Status.ANNOUNCED,
            to_status=c.status,
            effective_at=c.status_changed_at,
            recorded_at=c.status_changed_at,
            reason="As announced by the parties.",
            actor=StatusChange.Actor.IMPORT,
        )
        for c in saved
        if c.status != Status.ANNOUNCED
    ]
    save_plain(StatusChange, changes, label="status changes", stream=stream)
    return saved


def make_roles(rng, commitments, agreements, stream) -> None:
    by_pk = {agreement.pk: agreement for agreement in agreements}
    roles = []
    for commitment in commitments:
        agreement = by_pk[commitment.agreement_id]
        commitment.obligors = agreement.sides
        for party in agreement.sides:
            roles.append(
                CommitmentParty(
                    commitment=commitment, party=party, role=CommitmentParty.Role.OBLIGOR
                )
            )
        roles.append(
            CommitmentParty(
                commitment=commitment, party=agreement.mediator, role=CommitmentParty.Role.MEDIATOR
            )
        )
        for role in roles[-len(agreement.sides) - 1 :]:
            role._history_date = commitment._history_date
    save_with_history(CommitmentParty, roles, label="party roles", stream=stream)


def make_readings(rng, commitments, parties, sources, stream) -> None:
    readings = []
    for commitment in commitments:
        start = commitment.status_changed_at
        working = Reading(
            commitment=commitment,
            label="Joint statement",
            is_working=True,
            time_zone="Europe/Kyiv",
            precision="day",
            wording="From the day after the statement, for thirty days.",
            is_published=True,
        )
        if commitment.shape == Shape.WINDOW:
            working.starts_at = start
            working.ends_at = start + dt.timedelta(days=30)
        elif commitment.shape == Shape.DELIVERABLE:
            working.due_at = start + dt.timedelta(days=rng.randint(3, 40))
        else:
            working.starts_at = start
            working.is_open_ended = True
        readings.append(working)
        if commitment.shape == Shape.WINDOW and len(parties) > 1:
            # The other side counts from a week later, as the energy pause's did.
            readings.append(
                Reading(
                    commitment=commitment,
                    label="Other side's count",
                    read_by=parties[0],
                    starts_at=start + dt.timedelta(days=7),
                    ends_at=start + dt.timedelta(days=37),
                    time_zone="Europe/Moscow",
                    precision="day",
                    wording="Thirty days from the order to the armed forces.",
                    is_published=True,
                )
            )
    for reading in readings:
        reading._history_date = reading.commitment._history_date
    saved = save_with_history(Reading, readings, label="readings", stream=stream)
    links = [
        Reading.sources.through(reading=reading, source=rng.choice(sources)) for reading in saved
    ]
    save_plain(Reading.sources.through, links, label="reading sources", stream=stream)


def event_counts(rng, scale: Scale, commitments) -> list[int]:
    """How many events each commitment gets: a tenth to the first, the rest skewed."""
    counts = [0] * len(commitments)
    counts[0] = scale.heavy_events
    rest = scale.events - scale.heavy_events
    others = len(commitments) - 1
    if others <= 0:
        counts[0] += rest
        return counts
    weights = [1 / (1 + (n % 50)) for n in range(others)]
    total_weight = sum(weights)
    for n, weight in enumerate(weights):
        counts[n + 1] = int(rest * weight / total_weight)
    counts[1] += rest - sum(counts[1:])
    return counts


class FastTable:
    """Plain rows for one table, written with ``executemany``: for the million-row tables only.

    ``bulk_create`` prepares every value of every row through its field, about
    a millisecond an event with its history row on this machine: a quarter of
    an hour for a million. Rows here are dicts keyed by the model's own field
    names and are checked against them, so a field added to the model later
    is written with its default rather than silently left out.
    """

    def __init__(self, model):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = {f.attname for f in self.fields}
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
        self.defaults = {
            f.attname: f.get_default() for f in self.fields if f.has_default() or f.null
        }
        self.next_pk = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1

    def new_pk(self) -> int:
        pk = self.next_pk
        self.next_pk += 1
        return pk

    def insert(self, rows: list[dict]) -> None:
        for row in rows[:1]:
            unknown = set(row) - self.names
            if unknown:
                raise ValueError(f"{self.model.__name__} has no field {sorted(unknown)}")
        ops = connection.ops
        adapters = []
        for f in self.fields:
            internal = f.get_internal_type()
            if internal == "DateTimeField":
                adapters.append(ops.adapt_datetimefield_value)
            elif internal == "DateField":
                adapters.append(ops.adapt_datefield_value)
            else:
                adapters.append(None)
        values = [
            tuple(
                adapt(value) if adapt and value is not None else value
                for adapt, value in (
                    (adapt, row.get(f.attname, self.defaults.get(f.attname)))
                    for adapt, f in zip(adapters, self.fields, strict=True)
                )
            )
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, values)


def history_row(table: FastTable, row: dict, when: dt.datetime) -> dict:
    """The history library's creation row for ``row``, as its bulk helpers would write it."""
    return {
        **row,
        "history_id": table.new_pk(),
        "history_date": when,
        "history_change_reason": BENCH_REASON,
        "history_type": "+",
        "history_user_id": None,
    }


def reset_sequences(models) -> None:
    """After writing explicit ids, make PostgreSQL's sequences continue after them."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def make_events(rng, scale: Scale, commitments, sources, stream) -> None:
    """Make the events a batch at a time, with their sources, quantities and history."""
    counts = event_counts(rng, scale, commitments)
    plan = [c for c, n in zip(commitments, counts, strict=True) for _ in range(n)]
    rng.shuffle(plan)
    events = FastTable(ComplianceEvent)
    event_history = FastTable(ComplianceEvent.history.model)
    links = FastTable(ComplianceEvent.sources.through)
    quantities = FastTable(DeliveredQuantity)
    quantity_history = FastTable(DeliveredQuantity.history.model)
    source_ids = [source.pk for source in sources]
    last_event: dict[int, int] = {}
    now = timezone.now()
    # Corrections draw from their own generator, so every other record is the same as
    # in data sets built before claims were corrected.
    corrections = random.Random(SEED + 1)
    progress = Progress("events", len(plan), stream)
    for batch in batches(plan, BATCH_SIZE * 2):
        event_rows, history_rows, link_rows = [], [], []
        quantity_rows, quantity_history_rows = [], []
        for commitment in batch:
            row = new_event(rng, commitment, last_event, events.new_pk(), now)
            history_rows.append(history_row(event_history, row, row["recorded_at"]))
            corrected = correction(corrections, row, now)
            if corrected:
                row = {**row, **corrected}
                history_rows.append(
                    {**history_row(event_history, row, row["updated_at"]), "history_type": "~"}
                )
            event_rows.append(row)
            for source_id in rng.sample(source_ids, 1 + (row["id"] % 3 == 0)):
                link_rows.append(
                    {"id": links.new_pk(), "complianceevent_id": row["id"], "source_id": source_id}
                )
            if row["kind"] == EventKind.DELIVERY:
                for party in commitment.obligors:
                    quantity = {
                        "id": quantities.new_pk(),
                        "event_id": row["id"],
                        "received_by_id": party.pk,
                        "quantity": rng.randint(1, 400),
                        "unit": "prisoners",
                        "unit_en": "prisoners",
                    }
                    quantity_rows.append(quantity)
                    quantity_history_rows.append(
                        history_row(quantity_history, quantity, row["recorded_at"])
                    )
            last_event[commitment.pk] = row["id"]
        with transaction.atomic():
            events.insert(event_rows)
            event_history.insert(history_rows)
            links.insert(link_rows)
            quantities.insert(quantity_rows)
            quantity_history.insert(quantity_history_rows)
        progress.advance(len(batch))
    progress.finish()
    reset_sequences(
        [
            ComplianceEvent,
            ComplianceEvent.history.model,
            ComplianceEvent.sources.through,
            DeliveredQuantity,
            DeliveredQuantity.history.model,
        ]
    )


def correction(rng: random.Random, row: dict, now: dt.datetime) -> dict | None:
    """A claim's later check, as ``verify_event`` writes it, or None for most claims.

    Dated after the claim was recorded and before the data set was built, so a
    past day between the two shows the claim as it stood then and a correction.
    """
    if rng.random() >= CORRECTED_SHARE:
        return None
    when = row["recorded_at"] + dt.timedelta(
        days=rng.randint(1, CORRECTED_WITHIN_DAYS), minutes=rng.randint(0, 24 * 60 - 1)
    )
    if when >= now:
        return None
    later = [v for v in CHECKED_AGAIN if v != row["verification"]]
    return {"verification": str(rng.choice(later)), "verified_at": when, "updated_at": when}


CHECKED_AGAIN = [
    Verification.CORROBORATED,
    Verification.VERIFIED,
    Verification.DISPUTED,
    Verification.REFUTED,
]


def new_event(
    rng: random.Random,
    commitment: Commitment,
    last_event: dict[int, int],
    pk: int,
    now: dt.datetime,
) -> dict:
    kind = weighted(rng, EVENT_KINDS)
    claimant, accused = rng.sample(commitment.obligors, 2)
    occurred_at = commitment.status_changed_at + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 60))
    recorded_at = occurred_at + dt.timedelta(hours=rng.randint(1, 72))
    is_violation = kind in (EventKind.ALLEGED_VIOLATION, EventKind.CONFIRMED_VIOLATION)
    region, region_code = rng.choice(REGIONS)
    answers = last_event.get(commitment.pk) if rng.random() < 0.03 else None
    if is_violation:
        summary = (
            f"{claimant.name} reports that {accused.name} struck a power substation near "
            f"{region}; damage to the grid and two injured."
        )
    else:
        summary = f"{claimant.name} says the terms are being kept in the {region} region."
    occurred_until = occurred_at + dt.timedelta(days=1) if rng.random() < 0.05 else None
    precision = rng.choice(["day", "hour", "minute"])
    return {
        "id": pk,
        "commitment_id": commitment.pk,
        "kind": str(kind),
        "claimant_id": claimant.pk,
        "accused_id": accused.pk if is_violation else None,
        "occurred_at": occurred_at,
        "occurred_until": occurred_until,
        "precision": precision,
        "occurred_on": calendar_day(occurred_at, precision),
        "occurred_until_on": calendar_day(occurred_until, precision) if occurred_until else None,
        "recorded_at": recorded_at,
        # The plain columns and the English ones hold the same text, as the services write it.
        "location": f"Near {region}",
        "location_en": f"Near {region}",
        "region": region_code,
        "count": rng.randint(2, 120) if is_violation and rng.random() < 0.1 else None,
        "summary": summary,
        "summary_en": summary,
        "verification": str(weighted(rng, VERIFICATIONS)),
        "in_response_to_id": answers,
        "is_published": rng.random() < 0.97,
        "recorded_by_id": None,
        "verified_by_id": None,
        "verified_at": None,
        "internal_note": "Awaiting a second source." if rng.random() < 0.1 else "",
        "updated_at": min(recorded_at, now),
    }


# The sweep-scale data set ---------------------------------------------------------


def generate_for_sweep(
    commitments: int, due: int, now: dt.datetime, stream: TextIO | None = None
) -> dict[str, float]:
    """Many live windows, of which only ``due`` need the sweep's attention at ``now``.

    Half of the due windows end within the next day (their "ends in …"
    warnings are due), half ended an hour ago (they expire). Every other
    window ends months away. Records are bare and have no history: the sweep
    reads none of it, and the point is that the table is large, not rich.
    """
    started = time.monotonic()
    save_plain(
        Party,
        [
            Party(name="Russia", slug="ru", time_zone="Europe/Moscow"),
            Party(name="Ukraine", slug="ua", time_zone="Europe/Kyiv"),
        ],
        label="parties",
        stream=stream,
    )
    agreement = save_plain(
        Agreement,
        [Agreement(title="Sweep talks", slug="sweep-talks", held_on=now.date(), is_published=True)],
        label="agreements",
        stream=stream,
    )[0]
    rows = [
        Commitment(
            agreement=agreement,
            title=f"Window {n + 1}",
            slug=f"sweep-window-{n + 1}",
            category=Category.ENERGY,
            shape=Shape.WINDOW,
            status=Status.IN_FORCE,
            status_changed_at=now - dt.timedelta(days=10),
            is_published=True,
        )
        for n in range(commitments)
    ]
    saved = save_plain(Commitment, rows, label="commitments", stream=stream)
    readings = []
    for n, commitment in enumerate(saved):
        if n < due // 2:
            ends_at = now + dt.timedelta(hours=12, minutes=n)
        elif n < due:
            ends_at = now - dt.timedelta(hours=1, minutes=n)
        else:
            ends_at = now + dt.timedelta(days=60 + n % 300)
        readings.append(
            Reading(
                commitment=commitment,
                label="Joint statement",
                is_working=True,
                starts_at=now - dt.timedelta(days=10),
                ends_at=ends_at,
                is_published=True,
            )
        )
    save_plain(Reading, readings, label="readings", stream=stream)
    return {"total": time.monotonic() - started}
