"""Importing a file of claims through the services, all or nothing.

The whole file is one transaction. Each row is read (``claims``), then
checked by ``recording.ClaimBatch`` exactly as ``services.record_event``
checks a claim typed into the admin: the same permission check, validation,
duplicate flag and history, with the reason “Imported from <file name>” and
the importing user as the recorder. Rows are read and written a batch at a
time (``recording.BATCH_SIZE``), with the look-ups of a batch made at once,
so an import costs a few queries per batch, not several per row. A row that
is refused is not written, and the rest are still checked, so one run names
every bad row; then, if any row was refused, the transaction rolls back and
nothing is written. A dry run (and the admin's preview) is the same run
with nothing written (``recording.ClaimBatch`` with ``write=False``): every
row checked and flagged as it would be, outside any write transaction, so
a preview never holds SQLite's write lock.

Why one transaction, and what it costs: on PostgreSQL others keep reading
the record as it was until the commit, and see the whole file at once; on
SQLite the import holds the write lock, so other writers wait for it (up
to the database's busy timeout), which is why very large files are for the
command, not the admin. Either way a failure leaves nothing behind. So that
the lock is never held for a file that cannot be read, the whole file is
read once before the transaction opens, with every limit of ``reading``
checked; only a file that reads to its end is read again inside it. Should
another writer hold the database all the same (another import on SQLite, a
source added by another import at the same moment on PostgreSQL), the
refusal says so in words, never as the database's own error.

Each row's outcome is handed to ``report`` once its batch is written, and
only counts are kept, so memory stays flat whatever the length of the file:
to name the line a repeated claim first appeared on, the ids written are
kept with their lines as runs (ids and lines going up together), one run for
a file of one claim a line.
"""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, OperationalError, transaction

from tracker import http, recording, services, summaries
from tracker.models import ComplianceEvent, Source
from tracker.staff.intake import reading
from tracker.staff.intake.claims import (
    Claim,
    Lookups,
    Problem,
    RowRefused,
    problems_from,
    read_claim,
)

NEW = "new"
ALREADY_THERE = "already there"
REFUSED = "refused"

# What recording claims and their new sources takes, as the services check it:
# editors and reviewers have both.
IMPORT_PERMISSIONS = ("tracker.add_complianceevent", "tracker.add_source")
SUMMARY_SHOWN = 200


def may_import(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perms(IMPORT_PERMISSIONS)
    )


def reason_for(file_name: str) -> str:
    return f"Imported from {file_name}"


@dataclass
class Outcome:
    """What became of one row, or why the file could not be read on."""

    line: int | None
    place: str
    status: str
    problems: list[Problem] = field(default_factory=list)
    # The file could not be read on from here: nothing of it is written.
    whole_file: bool = False
    event_id: int | None = None
    # A new claim that probably repeats an earlier one: that claim's id, and
    # its line when it came from this same file.
    duplicate_of: int | None = None
    duplicate_line: int | None = None
    commitment: str = ""
    kind: str = ""
    occurred_at: dt.datetime | None = None
    claimant: str = ""
    accused: str = ""
    summary: str = ""

    @property
    def is_flagged(self) -> bool:
        return self.duplicate_of is not None

    @property
    def where(self) -> str:
        return f"{self.place.capitalize()} {self.line}" if self.line else "The file"

    def messages(self) -> list[str]:
        """Each problem, or what happened, as a sentence naming the line and column."""
        if self.status == REFUSED:
            return [
                f"{self.where}, column {p.column}: {p.message}"
                if p.column
                else f"{self.where}: {p.message}"
                for p in self.problems
            ]
        if self.status == ALREADY_THERE:
            return [f"{self.where}: claim {self.event_id} is already there; skipped."]
        if self.duplicate_line is not None:
            earlier = f"{self.place} {self.duplicate_line}"
            return [f"{self.where}: new, possibly a duplicate of {earlier}."]
        if self.duplicate_of is not None:
            return [f"{self.where}: new, possibly a duplicate of claim {self.duplicate_of}."]
        return [f"{self.where}: new."]


@dataclass
class Tally:
    rows: int = 0
    new: int = 0
    flagged: int = 0
    already_there: int = 0
    refused: int = 0
    unreadable: bool = False
    written: bool = False

    def count(self, outcome: Outcome) -> None:
        if outcome.whole_file:
            self.unreadable = True
            return
        self.rows += 1
        if outcome.status == NEW:
            self.new += 1
            self.flagged += outcome.is_flagged
        elif outcome.status == ALREADY_THERE:
            self.already_there += 1
        else:
            self.refused += 1

    @property
    def has_problems(self) -> bool:
        return bool(self.refused or self.unreadable)

    def __str__(self) -> str:
        duplicates = "possible duplicate" if self.flagged == 1 else "possible duplicates"
        flagged = f" ({self.flagged} {duplicates})" if self.flagged else ""
        return (
            f"{self.rows} rows: {self.new} new{flagged}, {self.already_there} already there, "
            f"{self.refused} refused"
        )


class Run:
    """One pass over a file's rows, inside the import's transaction, a batch of rows at a time."""

    def __init__(self, *, actor, reason: str, place: str, all_or_nothing: bool, write: bool = True):
        self.place = place
        self.all_or_nothing = all_or_nothing
        self.lookups = Lookups()
        self.batch = recording.ClaimBatch(actor=actor, reason=reason, write=write)
        # The claims written so far and their lines, as runs of rows where both
        # the id and the line go up by one (ids only grow within a run): a file of
        # one claim a line is a single run, so memory does not grow with its length.
        self.written_ids = array("q")  # each run's first id,
        self.written_lines = array("l")  # its first line,
        self.run_ends = array("q")  # and its last id
        self.last_line = 0

    def outcome(self, line: int | None, status: str, **values) -> Outcome:
        return Outcome(line=line, place=self.place, status=status, **values)

    def file_refused(self, refused: reading.FileRefused) -> Outcome:
        problem = Problem(refused.column, refused.message)
        return self.outcome(refused.line, REFUSED, problems=[problem], whole_file=True)

    def outcomes(self, rows: Iterable[reading.Row]) -> Iterator[Outcome]:
        """Each row's outcome, in order, as each batch of rows is written."""
        chunk: list[reading.Row] = []
        try:
            for row in rows:
                chunk.append(row)
                if len(chunk) == recording.BATCH_SIZE:
                    yield from self.rows(chunk)
                    chunk = []
        except reading.FileRefused:
            yield from self.rows(chunk)
            raise
        yield from self.rows(chunk)

    def rows(self, rows: list[reading.Row]) -> list[Outcome]:
        read = [(row, *self.read(row)) for row in rows]
        claims = [claim for _row, _shown, claim in read if isinstance(claim, Claim)]
        new = [claim for claim in claims if claim.id is None]
        self.batch.prepare(
            [claim.event for claim in new], [url for claim in new for url in claim.source_urls]
        )
        given = [claim.id for claim in claims if claim.id is not None]
        there = set(ComplianceEvent.objects.filter(pk__in=given).values_list("pk", flat=True))
        checked = [
            self.check(row, shown, claim, there) if isinstance(claim, Claim) else claim
            for row, shown, claim in read
        ]
        self.batch.flush()
        for pending in checked:
            if isinstance(pending, recording.Pending) and pending.refusal is None:
                self.note_written(pending.event.pk, pending.tag[0])
        return [self.written(result) for result in checked]

    def read(self, row: reading.Row) -> tuple[dict, Claim | Outcome]:
        if row.problems:
            problems = [Problem(column, message) for column, message in row.problems]
            return {}, self.outcome(row.line, REFUSED, problems=problems)
        shown = {
            "commitment": _shown(row.values.get("commitment")),
            "kind": _shown(row.values.get("kind")),
            "claimant": _shown(row.values.get("claimant")),
            "accused": _shown(row.values.get("accused")),
            "summary": _shown(row.values.get("summary"))[:SUMMARY_SHOWN],
        }
        try:
            claim = read_claim(row.values, self.lookups)
        except RowRefused as refused:
            return shown, self.outcome(row.line, REFUSED, problems=refused.problems, **shown)
        shown["occurred_at"] = claim.event.occurred_at
        return shown, claim

    def check(
        self, row: reading.Row, shown: dict, claim: Claim, there: set[int]
    ) -> Outcome | recording.Pending:
        """The row's outcome, or the claim checked and kept to be written with its batch."""
        if claim.id is not None:
            if claim.id in there or self.written_since(claim.id):
                return self.outcome(row.line, ALREADY_THERE, event_id=claim.id, **shown)
            problem = Problem(
                "id",
                f"There is no claim {claim.id} here. Leave id empty to record the row "
                "as a new claim.",
            )
            return self.outcome(row.line, REFUSED, problems=[problem], **shown)
        try:
            pending = self.batch.check(
                claim.event,
                source_urls=claim.source_urls,
                quantities=claim.quantities,
                tag=(row.line, shown),
            )
            repeated = self.repeated_line(pending)
            if repeated is not None:
                raise RowRefused([Problem("", self.repeat_message(repeated))])
        except RowRefused as refused:
            return self.outcome(row.line, REFUSED, problems=refused.problems, **shown)
        except services.NotPermitted:
            raise
        except ValidationError as refusal:
            return self.outcome(row.line, REFUSED, problems=problems_from(refusal), **shown)
        except DatabaseError as refusal:
            problem = Problem("", f"The database refused the row: {refusal}")
            return self.outcome(row.line, REFUSED, problems=[problem], **shown)
        self.batch.keep(pending)
        return pending

    def written_since(self, event_id: int) -> bool:
        """Whether a claim kept in this batch got ``event_id``: written first to know."""
        if not self.batch.pending:
            return self.batch.kept_before(event_id)
        self.batch.flush()
        return (
            self.batch.kept_before(event_id) or ComplianceEvent.objects.filter(pk=event_id).exists()
        )

    def written(self, result: Outcome | recording.Pending) -> Outcome:
        if isinstance(result, Outcome):
            return result
        line, shown = result.tag
        if result.refusal is not None:
            problem = self.refusal_problem(result)
            return self.outcome(line, REFUSED, problems=[problem], **shown)
        original = result.event.possible_duplicate_of_id
        return self.outcome(
            line,
            NEW,
            event_id=result.event.pk,
            duplicate_of=original,
            duplicate_line=self.line_of(original),
            **shown,
        )

    @staticmethod
    def refusal_problem(pending: recording.Pending) -> Problem:
        """Why the database refused a checked claim, in words: most often, a race."""
        new_urls = [source.url for source in pending.sources if source.pk is None]
        if isinstance(pending.refusal, IntegrityError) and new_urls:
            taken = Source.objects.filter(url__in=new_urls).values_list("url", flat=True)
            for url in taken[:1]:
                return Problem(
                    "source_urls",
                    f"The source {url} was added by someone else (another import, or an "
                    "edit) while this file was being imported. Import the file again: it "
                    "will cite that source.",
                )
        return Problem("", f"The database refused the row: {pending.refusal}")

    def note_written(self, event_id: int, line: int) -> None:
        """Keep the line a written claim came from, extending the last run when it can."""
        if self.run_ends and event_id == self.run_ends[-1] + 1 and line == self.last_line + 1:
            self.run_ends[-1] = event_id
        else:
            self.written_ids.append(event_id)
            self.written_lines.append(line)
            self.run_ends.append(event_id)
        self.last_line = line

    def line_of(self, event_id: int | None) -> int | None:
        """The line a claim written in this run came from; None for any other claim."""
        if event_id is None:
            return None
        at = bisect_right(self.written_ids, event_id) - 1
        if at < 0 or event_id > self.run_ends[at]:
            return None
        return self.written_lines[at] + (event_id - self.written_ids[at])

    def repeated_line(self, pending: recording.Pending) -> int | None:
        """The earlier line of this file that gave exactly the same claim, if any.

        Only a claim flagged as a likely duplicate can be one, and the claims
        of its day are in memory already, so this costs no query.
        """
        if pending.original is None:
            return None
        since = self.written_ids[0] if self.written_ids else None
        for candidate in self.batch.same_claims(pending, since=since):
            line = candidate.tag[0] if candidate.waiting else self.line_of(candidate.pk)
            if line is not None:
                return line
        return None

    def repeat_message(self, line: int) -> str:
        return (
            f"This row repeats the claim on {self.place} {line} (same commitment, kind, "
            "parties, time, place, count and summary). Give each claim once; list all "
            "its sources in source_urls."
        )


def _shown(value) -> str:
    return "" if value is None else str(value)


def import_claims(
    stream: IO[bytes],
    *,
    file_format: str,
    file_name: str,
    actor,
    dry_run: bool = False,
    all_or_nothing: bool = True,
    report: Callable[[Outcome], None] = lambda outcome: None,
) -> Tally:
    """Import the claims in ``stream``; each row's outcome goes to ``report`` as it is known.

    Raises ``services.NotPermitted`` when ``actor`` may not record claims.
    With ``all_or_nothing`` (the default) one refused row, or a file that
    cannot be read to its end, writes nothing; without it the good rows are
    written and the refused ones reported. ``dry_run`` writes nothing.
    """
    if not may_import(actor):
        raise services.NotPermitted(
            "Only editors and reviewers may import claims.", code="not_permitted"
        )
    run = Run(
        actor=actor,
        reason=reason_for(file_name),
        place=reading.PLACE[file_format],
        all_or_nothing=all_or_nothing,
        write=not dry_run,
    )
    tally = Tally()

    def counted(outcome: Outcome) -> None:
        tally.count(outcome)
        report(outcome)

    limits = reading.Limits.from_settings()
    try:
        readable(stream, file_format, limits)
    except reading.FileRefused as refused:
        counted(run.file_refused(refused))
        return tally
    if dry_run:
        try:
            for outcome in run.outcomes(reading.rows(stream, file_format, limits)):
                counted(outcome)
        except reading.FileRefused as refused:
            counted(run.file_refused(refused))
        return tally
    try:
        with transaction.atomic():
            with summaries.deferred(), http.one_version_for_many_writes():
                try:
                    for outcome in run.outcomes(reading.rows(stream, file_format, limits)):
                        counted(outcome)
                except reading.FileRefused as refused:
                    counted(run.file_refused(refused))
            refused = tally.unreadable or (all_or_nothing and tally.refused)
            tally.written = not dry_run and not refused and tally.new > 0
            if dry_run or refused:
                transaction.set_rollback(True)
    except OperationalError:
        # SQLite's busy timeout ran out: another import or save held the database.
        tally.written = False
        counted(run.file_refused(reading.FileRefused(BUSY)))
    return tally


BUSY = (
    "The database stayed busy with another import or save, so nothing of this file was "
    "written. Import it again in a minute."
)


def readable(stream: IO[bytes], file_format: str, limits: reading.Limits) -> None:
    """Read the whole file once, outside any transaction; raises ``FileRefused``.

    Reading is where a hostile file costs time, so it is done before the
    write transaction opens: on SQLite no other writer waits for it.
    """
    start = stream.tell()
    try:
        for _row in reading.rows(stream, file_format, limits):
            pass
    finally:
        stream.seek(start)
