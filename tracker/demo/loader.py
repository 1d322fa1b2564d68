"""The demo data set: real commitments of spring 2025, kept in ``fixtures/``.

The file is written by hand, so it is read strictly (``reading.py``): an
unknown field, an unknown party or a source not listed in the file is
refused with the record named, and any refusal rolls the whole load back,
so a bad file leaves nothing behind. Every record goes in through
``tracker.services`` as the data import, which leaves the same history rows,
status log and publication state as work done by staff.

Loading twice changes nothing. Records are matched by their natural keys: a
party, agreement or commitment by its slug, a source by its URL. One that is
already in the database is left exactly as it is, together with everything
under it (a commitment's readings, events and status history), because staff
may have edited it since and the loader must never overwrite their work.

The demo has a past. Each record is written with the history it would have had
had it been recorded as events unfolded (``dating.py``): an agreement and its
commitments on the day the agreement was made, each status change and each
claim on the day it took effect or reports (the evening of that day, or two
hours after a time given to the minute), the clock's expiry at the window's
end. The steps run in that order, so the history rows and the status-change
log read as the tracker's own would, and the pages of any past day show what
was public then.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from tracker import clock, services, words
from tracker.demo import dating
from tracker.demo.reading import (
    DemoDataError,
    about,
    as_date,
    as_list,
    check_fields,
    instant,
    local_time,
    quoted,
    translations,
)
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    Party,
    Source,
    Verification,
)
from tracker.status import Status

DEFAULT_FILE = Path(settings.BASE_DIR) / "fixtures" / "ukraine-2025.json"
REASON = words.DEMO_DATA


@dataclass
class LoadResult:
    """What a load created, and what it found already there and left alone."""

    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        lines = []
        if self.created:
            lines.append(f"Loaded {_count_list(self.created)}.")
        else:
            lines.append("Nothing new: everything in the file is already loaded.")
        if self.kept:
            lines.append(f"Already there and left as they were: {_count_list(self.kept)}.")
        return "\n".join(lines)


def _count_list(counts: Counter) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


def load_file(path: Path | str = DEFAULT_FILE) -> LoadResult:
    """Read a demo data file and load it; see ``fixtures/README.md`` for the format."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DemoDataError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise DemoDataError(f"{path} is not UTF-8 text.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DemoDataError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    return load(data)


@transaction.atomic
def load(data: dict) -> LoadResult:
    """Load parsed demo data in one transaction: all of it, or nothing.

    In English, whatever language is active: a text's plain name is its English text.
    """
    with translation.override("en"):
        return _Loader().load(data)


class _Loader:
    """One load: remembers the parties and sources seen so far, so records can cite them."""

    def __init__(self):
        self.result = LoadResult()
        self.parties: dict[str, Party] = {}
        self.sources: dict[str, Source] = {}
        self.now = timezone.now()
        # (when, order, name, write): every write of the file, run in the order it happened.
        self.steps: list[tuple[dt.datetime, int, str, object]] = []

    def load(self, data) -> LoadResult:
        with about("file"):
            check_fields(data, "file")
        before_parties = dating.marks()
        for record in as_list(data, "parties"):
            with about(f"party “{_name(record, 'slug')}”"):
                self.load_party(check_fields(record, "party"))
        for record in as_list(data, "sources"):
            with about(f"source “{_name(record, 'url')}”"):
                self.load_source(check_fields(record, "source"))
        for record in as_list(data, "agreements"):
            with about(f"agreement “{_name(record, 'slug')}”"):
                self.load_agreement(check_fields(record, "agreement"))
        # The parties and sources were known before anything the file records happened.
        if self.steps:
            dating.date_since(before_parties, self.when(min(step[0] for step in self.steps)))
        for when, _order, name, write in sorted(self.steps, key=lambda step: step[:2]):
            with about(name), dating.dated(self.when(when)):
                write()
        return self.result

    def later(self, when: dt.datetime, name: str, write) -> None:
        """Write ``write`` when the history reaches ``when``: after everything dated before it."""
        self.steps.append((when, len(self.steps), name, write))

    def when(self, instant: dt.datetime) -> dt.datetime:
        """A moment of the demo's history, never after the load itself."""
        return min(instant, self.now)

    # Lookups --------------------------------------------------------------

    def party(self, slug) -> Party | None:
        if slug is None:
            return None
        if slug not in self.parties:
            found = Party.objects.filter(slug=slug).first()
            if found is None:
                raise DemoDataError(f"unknown party “{slug}”; list it under “parties”.")
            self.parties[slug] = found
        return self.parties[slug]

    def source_list(self, record: dict) -> list[Source]:
        found = []
        for url in as_list(record, "sources"):
            if url not in self.sources:
                source = Source.objects.filter(url=url).first()
                if source is None:
                    raise DemoDataError(f"source “{url}” is not listed under “sources”.")
                self.sources[url] = source
            found.append(self.sources[url])
        return found

    # Records --------------------------------------------------------------

    def load_party(self, record: dict) -> None:
        existing = Party.objects.filter(slug=record["slug"]).first()
        if existing:
            self.parties[existing.slug] = existing
            self.result.kept["parties"] += 1
            return
        party = Party(
            slug=record["slug"],
            name=record["name"],
            short_name=record.get("short_name", ""),
            kind=record.get("kind", Party.Kind.STATE),
            time_zone=record.get("time_zone", "UTC"),
            **translations(record, "party"),
        )
        services.save_record(party, actor=services.IMPORT, reason=REASON)
        self.parties[party.slug] = party
        self.result.created["parties"] += 1

    def load_source(self, record: dict) -> None:
        existing = Source.objects.filter(url=record["url"]).first()
        if existing:
            self.sources[existing.url] = existing
            self.result.kept["sources"] += 1
            return
        source = Source(
            url=record["url"],
            title=record.get("title", ""),
            publisher=record.get("publisher", ""),
            language=record.get("language", ""),
            published_on=as_date(record.get("published_on")),
            **translations(record, "source"),
        )
        if record.get("accessed_on"):
            source.accessed_on = as_date(record["accessed_on"])
        services.save_record(source, actor=services.IMPORT, reason=REASON)
        self.sources[source.url] = source
        self.result.created["sources"] += 1

    def load_agreement(self, record: dict) -> None:
        agreement = Agreement.objects.filter(slug=record["slug"]).first()
        held_on = as_date(record["held_on"])
        made = dating.day_made(held_on)
        name = f"agreement “{record['slug']}”"
        if agreement:
            self.result.kept["agreements"] += 1
            self.later(made, name, lambda: None)
        else:
            self.later(made, name, lambda: self.write_agreement(record))
        for item in as_list(record, "commitments"):
            cname = f"{name}: commitment “{_name(item, 'slug')}”"
            with about(f"commitment “{_name(item, 'slug')}”"):
                self.plan_commitment(record["slug"], made, cname, check_fields(item, "commitment"))

    def write_agreement(self, record: dict) -> None:
        agreement = Agreement(
            slug=record["slug"],
            title=record["title"],
            kind=record["kind"],
            held_on=as_date(record["held_on"]),
            venue=record.get("venue", ""),
            summary=record.get("summary", ""),
            **translations(record, "agreement"),
        )
        services.save_record(agreement, actor=services.IMPORT, reason=REASON)
        agreement.parties.set([self.party(slug) for slug in as_list(record, "parties")])
        agreement.sources.set(self.source_list(record))
        if record.get("published", True):
            services.publish(agreement, actor=services.IMPORT, reason=REASON)
        self.result.created["agreements"] += 1

    def plan_commitment(self, agreement: str, made: dt.datetime, name: str, record: dict) -> None:
        """Plan a commitment's writes: itself on its agreement's day, then its life as it came."""
        if Commitment.objects.filter(slug=record["slug"]).exists():
            self.result.kept["commitments"] += 1
            return
        working = [item for item in as_list(record, "readings") if _is_working(item)]
        if len(working) > 1:
            raise DemoDataError("only one reading can be the working one.")
        state: dict = {}
        self.later(made, name, lambda: self.write_commitment(agreement, record, state))
        for number, item in enumerate(as_list(record, "status_history"), start=1):
            step = f"{name}: status change {number}"
            with about(f"status change {number}"):
                item = check_fields(item, "status change")
                when = self.status_moment(item, working[0] if working else None)
            self.later(
                max(when, made), step, lambda item=item: self.load_status_change(state["c"], item)
            )
        answered_at: dict[str, dt.datetime] = {}
        for item in as_list(record, "events"):
            step = f"{name}: event “{_name(item, 'key')}”"
            with about(f"event “{_name(item, 'key')}”"):
                item = check_fields(item, "event")
                when = max(self.claim_moment(item), made)
                answered = item.get("in_response_to")
                if answered in answered_at:
                    when = max(when, answered_at[answered])
                answered_at.setdefault(item["key"], when)
            self.later(when, step, lambda item=item: self.write_event(state, item))

    def status_moment(self, record: dict, working: dict | None) -> dt.datetime:
        """When a status change was recorded: soon after it took effect; the clock's at once."""
        if record.get("by") == "clock":
            end = None
            if isinstance(working, dict) and working.get("time_zone"):
                zone = working["time_zone"]
                precision = working.get("precision", clock.Precision.DAY.value)
                end = clock.window_end(
                    instant(working.get("starts_at"), zone, precision),
                    end=instant(working.get("ends_at"), zone, precision),
                    duration_days=working.get("duration_days"),
                    open_ended=bool(working.get("open_ended", False)),
                    tz_name=zone,
                )
            # Without an end, the write refuses it and says why.
            return end or self.now
        if not record.get("at") or not record.get("time_zone"):
            return self.now  # refused with the missing fields named when it is written
        local = local_time(record["at"])
        precision = (
            clock.Precision.MINUTE if isinstance(local, dt.datetime) else clock.Precision.DAY
        )
        return dating.reported(clock.local_to_utc(local, record["time_zone"], precision), precision)

    def claim_moment(self, record: dict) -> dt.datetime:
        """When a claim was recorded: on the day it reports, soon after its last moment."""
        precision = record.get("precision", clock.Precision.DAY.value)
        last = record.get("occurred_until") or record["occurred_at"]
        return dating.reported(instant(last, record["time_zone"], precision), precision)

    def write_commitment(self, agreement_slug: str, record: dict, state: dict) -> None:
        agreement = Agreement.objects.get(slug=agreement_slug)
        commitment = services.create_commitment(
            actor=services.IMPORT,
            reason=REASON,
            roles=self.roles(record.get("roles", {})),
            agreement=agreement,
            slug=record["slug"],
            title=record["title"],
            category=record["category"],
            shape=record["shape"],
            terms=record.get("terms", ""),
            conditions=record.get("conditions", ""),
            promised_quantity=record.get("promised_quantity"),
            promised_unit=record.get("promised_unit", ""),
            regions=record.get("regions", []),
            **translations(record, "commitment"),
        )
        self.result.created["commitments"] += 1
        state.update(c=commitment, by_key={}, published=record.get("published", True))
        readings = []
        for number, item in enumerate(as_list(record, "readings"), start=1):
            with about(f"reading {number} (“{_name(item, 'label')}”)"):
                readings.append(self.load_reading(commitment, check_fields(item, "reading")))
        if state["published"]:
            services.publish(commitment, actor=services.IMPORT, reason=REASON)
            for reading, published in readings:
                if published:
                    services.publish(reading, actor=services.IMPORT, reason=REASON)

    def write_event(self, state: dict, record: dict) -> None:
        """Record a claim, verified as its sources say, and publish it with its commitment."""
        event, published = self.load_event(state["c"], record, state["by_key"])
        if published and state["published"]:
            services.publish(event, actor=services.IMPORT, reason=REASON)

    def roles(self, record) -> list[tuple[Party, str]]:
        if not isinstance(record, dict):
            raise DemoDataError("“roles” must map each role to a list of party slugs.")
        roles = []
        for role, slugs in record.items():
            if role not in CommitmentParty.Role.values:
                allowed = quoted(CommitmentParty.Role.values)
                raise DemoDataError(f"unknown role “{role}”; use one of {allowed}.")
            if not isinstance(slugs, list):
                raise DemoDataError(f"role “{role}” must list party slugs.")
            roles.extend((self.party(slug), role) for slug in slugs)
        return roles

    def load_reading(self, commitment: Commitment, record: dict):
        time_zone = record["time_zone"]
        precision = record.get("precision", clock.Precision.DAY.value)
        reading = services.add_reading(
            commitment,
            actor=services.IMPORT,
            reason=REASON,
            working=bool(record.get("working", False)),
            sources=self.source_list(record),
            label=record["label"],
            read_by=self.party(record.get("read_by")),
            starts_at=instant(record.get("starts_at"), time_zone, precision),
            ends_at=instant(record.get("ends_at"), time_zone, precision),
            duration_days=record.get("duration_days"),
            is_open_ended=bool(record.get("open_ended", False)),
            due_at=instant(record.get("due_at"), time_zone, precision),
            time_zone=time_zone,
            precision=precision,
            wording=record.get("wording", ""),
            wording_language=record.get("wording_language", ""),
            scope=record.get("scope", ""),
            **translations(record, "reading"),
        )
        self.result.created["readings"] += 1
        return reading, record.get("published", True)

    def load_status_change(self, commitment: Commitment, record: dict) -> None:
        if record.get("by") == "clock":
            self.expire_by_clock(commitment, record)
            return
        if record.get("by") is not None:
            raise DemoDataError("“by” can only be “clock”; other changes are the import's.")
        missing = [key for key in ("at", "time_zone", "reason") if not record.get(key)]
        if missing:
            raise DemoDataError(f"missing {quoted(missing)}.")
        # "2025-03-19" is that day on the record's clock; "2025-03-19T14:00" a minute.
        local = local_time(record["at"])
        precision = (
            clock.Precision.MINUTE if isinstance(local, dt.datetime) else clock.Precision.DAY
        )
        services.change_status(
            commitment,
            record["status"],
            actor=services.IMPORT,
            reason=record["reason"],
            effective_at=clock.local_to_utc(local, record["time_zone"], precision),
            precision=precision,
            time_zone=record["time_zone"],
            reason_in=translations(record, "status change"),
        )
        self.result.created["status changes"] += 1

    def expire_by_clock(self, commitment: Commitment, record: dict) -> None:
        """Record the expiry the clock made at the working reading's end.

        The time and the reason are the sweep's own, so the history reads as if
        the tracker had been running then. While the window is still running
        nothing is recorded: the sweep will expire it when the end comes.
        """
        if record["status"] != Status.EXPIRED:
            raise DemoDataError("the clock can only expire a commitment.")
        if set(record) - {"status", "by"}:
            raise DemoDataError("the clock's expiry takes its time and reason from the window.")
        reading = commitment.working_reading()
        if reading is None or reading.ends_at is None:
            raise DemoDataError("the clock can only expire a window whose working reading ends.")
        if reading.ends_at > self.now:
            return  # still running: the sweep expires it when the end comes
        services.change_status(
            commitment,
            Status.EXPIRED,
            actor=services.CLOCK,
            reason=services.WINDOW_ENDED,
            effective_at=reading.ends_at,
            precision=reading.precision,
            time_zone=reading.time_zone,
        )
        self.result.created["status changes"] += 1

    def load_event(self, commitment: Commitment, record: dict, by_key: dict):
        key = record["key"]
        if key in by_key:
            raise DemoDataError("another event of this commitment has the same key.")
        answered = record.get("in_response_to")
        if answered is not None and answered not in by_key:
            raise DemoDataError(
                f"“in_response_to” must name an earlier event of the same commitment, "
                f"not “{answered}”."
            )
        time_zone = record["time_zone"]
        precision = record.get("precision", clock.Precision.DAY.value)
        event = ComplianceEvent(
            commitment=commitment,
            kind=record["kind"],
            claimant=self.party(record.get("claimant")),
            accused=self.party(record.get("accused")),
            occurred_at=instant(record["occurred_at"], time_zone, precision),
            occurred_until=instant(record.get("occurred_until"), time_zone, precision),
            precision=precision,
            location=record.get("location", ""),
            region=record.get("region", ""),
            count=record.get("count"),
            summary=record["summary"],
            in_response_to=by_key.get(answered),
            **translations(record, "event"),
        )
        services.record_event(
            event,
            actor=services.IMPORT,
            reason=REASON,
            sources=self.source_list(record),
            quantities=self.quantities(record),
        )
        verification = record.get("verification", Verification.UNVERIFIED)
        if verification != Verification.UNVERIFIED:
            services.verify_event(event, verification, actor=services.IMPORT, reason=REASON)
        by_key[key] = event
        self.result.created["events"] += 1
        return event, record.get("published", True)

    def quantities(self, record: dict) -> list[tuple[Party, int, str]]:
        rows = []
        for number, item in enumerate(as_list(record, "quantities"), start=1):
            with about(f"quantity {number}"):
                check_fields(item, "quantity")
                unit = {"unit": item["unit"], **translations(item, "quantity")}
                rows.append((self.party(item["received_by"]), item["quantity"], unit))
        return rows


def _is_working(record) -> bool:
    return isinstance(record, dict) and bool(record.get("working", False))


def _name(record, key: str) -> str:
    """The record's own name for error messages, even when the record is malformed."""
    if isinstance(record, dict) and isinstance(record.get(key), str):
        return record[key]
    return "?"
