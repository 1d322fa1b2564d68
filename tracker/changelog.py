"""Recent changes to published records, read from their history tables.

Used by the changes page and the changes feed. The rules, in one place:

- Only changes the public could have seen are listed: a change counts when
  the record was published before or after it. Edits to drafts never appear.
- Only public fields are compared (each model lists them below); internal
  notes and the people who made a change are never read.
- A record that is not public now shows no content at all. Its withdrawal
  from publication (or removal) still appears, as a tombstone that names only
  its kind, its public parent if there is one, and the reason given.
- A correction shows what the record says now, not what it said before: the
  old value was wrong, and the correction exists to take it out of view.
- Long texts (summaries, terms, wordings) are named, not quoted: the record's
  own page shows the current wording, so a text corrected later never lingers
  here.
- Translated texts are read in the reader's language, or in English while
  there is no translation: a new translation is a change for the readers of
  that language only.

``recent_changes(limit)`` returns ``Change`` entries, newest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import clock, public, translated
from tracker.clock import calendar_day, day_text
from tracker.models import (
    VERIFIED,
    Agreement,
    Commitment,
    ComplianceEvent,
    EventKind,
    Reading,
    violation_standing,
)
from tracker.status import Shape
from tracker.translation import TRANSLATED

CORRECTION_PREFIX = "Correction"
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class FieldChange:
    """One public field: its label, the old value and the new one (None when not quoted)."""

    label: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Change:
    """One entry of the changelog.

    ``headline`` says what happened in a sentence; ``url`` points to where the
    record is shown now (None when nothing public is left to show); ``key`` is
    stable across requests, for feed entry ids.
    """

    key: str
    at: dt.datetime
    kind: str
    action: str
    headline: str
    url: str | None
    reason: str
    fields: list[FieldChange] = field(default_factory=list)
    # The record changed ("event-12"), and how the changelog names it: what it
    # is, who claims it against whom, and under which commitment; only the
    # record's kind and public parent once it is withdrawn.
    record: str = ""
    subject: str = ""
    # A status change's log entry, whose reason is kept in every language.
    said: object | None = None

    @property
    def is_tombstone(self) -> bool:
        return self.action == WITHDRAWN


PUBLISHED = "published"
CHANGED = "changed"
CORRECTED = "corrected"
RETRACTED = "retracted"
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Tracked:
    """A publishable model, the fields the public sees, and how to name its records."""

    model: type
    kind: str
    fields: dict[str, str]
    texts: frozenset[str] = frozenset()

    @property
    def translated(self) -> frozenset[str]:
        """The public fields kept in every language."""
        return frozenset(TRANSLATED[self.model].fields) & set(self.fields)

    def columns(self) -> list[str]:
        """Every column read to compare versions: each translated field in every language too."""
        return [*self.fields, *translated.columns(*sorted(self.translated))]


TRACKED = [
    Tracked(
        Agreement,
        "agreement",
        {
            "title": gettext_lazy("title"),
            "kind": gettext_lazy("kind"),
            "held_on": gettext_lazy("held on"),
            "venue": gettext_lazy("venue"),
            "summary": gettext_lazy("summary"),
        },
        texts=frozenset({"summary"}),
    ),
    Tracked(
        Commitment,
        "commitment",
        {
            "title": gettext_lazy("title"),
            "category": gettext_lazy("category"),
            "shape": gettext_lazy("kind of commitment"),
            "terms": gettext_lazy("terms"),
            "conditions": gettext_lazy("conditions"),
            "promised_quantity": gettext_lazy("promised quantity"),
            "promised_unit": gettext_lazy("what the promised quantity counts"),
            "status": gettext_lazy("status"),
        },
        texts=frozenset({"terms", "conditions"}),
    ),
    Tracked(
        Reading,
        "reading",
        {
            "label": gettext_lazy("label"),
            "is_working": gettext_lazy("working reading"),
            "starts_at": gettext_lazy("start"),
            "ends_at": gettext_lazy("end"),
            "is_open_ended": gettext_lazy("open-ended"),
            "due_at": gettext_lazy("due"),
            "time_zone": gettext_lazy("time zone"),
            "wording": gettext_lazy("wording"),
            "scope": gettext_lazy("scope"),
        },
        texts=frozenset({"wording", "scope"}),
    ),
    Tracked(
        ComplianceEvent,
        "event",
        {
            "kind": gettext_lazy("kind"),
            "claimant_id": gettext_lazy("claimant"),
            "accused_id": gettext_lazy("accused"),
            "occurred_at": gettext_lazy("occurred"),
            "occurred_until": gettext_lazy("until"),
            "location": gettext_lazy("location"),
            "region": gettext_lazy("region"),
            "count": gettext_lazy("count"),
            "summary": gettext_lazy("summary"),
            "verification": gettext_lazy("verification"),
        },
        texts=frozenset({"summary"}),
    ),
]

PARENT_FIELD = {"commitment": "agreement_id", "reading": "commitment_id", "event": "commitment_id"}


def _history_rows(tracked: Tracked, limit: int, before: dt.datetime | None = None):
    """The newest history rows that touched the public record, each with the previous row's values.

    Rows are read newest first along the history_date index, and each one's
    previous version is found by a lookup on the record's own few history
    rows, so the cost follows ``limit`` rather than the length of the history.
    """
    history = tracked.model.history.model
    earlier = history.objects.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        id=OuterRef("id"),
    ).order_by("-history_date", "-history_id")
    names = [*tracked.columns(), "is_published"]
    previous = {f"before_{name}": Subquery(earlier.values(name)[:1]) for name in names}
    rows = history.objects.annotate(**previous).filter(
        Q(is_published=True) | Q(before_is_published=True)
    )
    if before is not None:
        rows = rows.filter(history_date__lt=before)
    return list(rows.order_by("-history_date", "-history_id")[:limit])


def recent_changes(
    limit: int = DEFAULT_LIMIT, offset: int = 0, tz_name: str = "UTC"
) -> list[Change]:
    """The latest ``limit`` changes to public records after skipping ``offset``, newest first.

    Times in the values changed are said on ``tz_name``'s clock, each as
    precisely as its record gives it (``clock.instant_text``).

    Runs a fixed number of queries: one per tracked model, then one each to
    learn which records are public now, and one for party names.
    """
    # Some rows turn out to have nothing public to say; read a few more than needed.
    entries, _unread_before = read_changes((offset + limit) * 2, tz_name)
    return entries[offset : offset + limit]


def read_changes(
    rows: int, tz_name: str = "UTC", before: dt.datetime | None = None
) -> tuple[list[Change], dt.datetime | None]:
    """The changes among the newest ``rows`` history rows of each kind, newest first.

    With ``before``, those made before that instant: the log as it reads
    today up to a past day's end (a record withdrawn since is left out, as
    everywhere, and a withdrawal made by then is its tombstone).

    Also returns the instant before which some rows were left unread (the
    latest of the oldest rows read of each kind that had more), or None when
    every row was read: changes before it may be missing.
    """
    wanted = rows
    rows_by_kind = {t.kind: (t, _history_rows(t, wanted, before)) for t in TRACKED}
    public_ids = {
        "agreement": _public_ids(public.agreements(), rows_by_kind["agreement"][1]),
        "commitment": _public_ids(public.commitments(), rows_by_kind["commitment"][1]),
        "reading": _public_ids(public.readings(), rows_by_kind["reading"][1]),
        "event": _public_ids(public.events(), rows_by_kind["event"][1]),
    }
    parent_commitment_ids = {
        row.commitment_id for kind in ("reading", "event") for row in rows_by_kind[kind][1]
    }
    parent_agreement_ids = {row.agreement_id for row in rows_by_kind["commitment"][1]}
    commitments = {
        c.pk: c
        for c in public.commitments()
        .filter(pk__in={row.id for row in rows_by_kind["commitment"][1]} | parent_commitment_ids)
        .only("pk", "title", "slug")
    }
    agreements = {
        a.pk: a
        for a in public.agreements()
        .filter(pk__in={row.id for row in rows_by_kind["agreement"][1]} | parent_agreement_ids)
        .only("pk", "title", "slug")
    }
    names = {
        party.pk: translated.text(party, "name") for party in public.parties().only("pk", "name")
    }
    context = _Context(public_ids, commitments, agreements, names, tz_name)
    context.status_log = _status_log(rows_by_kind["commitment"][1])

    entries = []
    for tracked, rows in rows_by_kind.values():
        for row in rows:
            entry = _entry(tracked, row, context)
            if entry is not None:
                entries.append(entry)
    entries.sort(key=lambda e: e.at, reverse=True)
    cut = [read[-1].history_date for _, read in rows_by_kind.values() if len(read) >= wanted]
    return entries, max(cut, default=None)


def _public_ids(public_queryset, rows) -> set[int]:
    ids = {row.id for row in rows}
    return set(public_queryset.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


@dataclass
class _Context:
    public_ids: dict[str, set[int]]
    commitments: dict[int, Commitment]
    agreements: dict[int, Agreement]
    party_names: dict[int, str]
    tz_name: str = "UTC"
    # {(commitment id, reason in English): its status change}, which keeps the reason translated
    status_log: dict = field(default_factory=dict)


def _status_log(rows) -> dict:
    """The logged status changes of these commitments, by their reason in English."""
    ids = {row.id for row in rows}
    if not ids:
        return {}
    log = public.status_changes().filter(commitment_id__in=ids)
    return {(change.commitment_id, change.reason_en): change for change in log}


def _entry(tracked: Tracked, row, context: _Context) -> Change | None:
    was_public = bool(row.before_is_published)
    is_public_now = row.id in context.public_ids[tracked.kind]
    reason = row.history_change_reason or ""
    key = f"{tracked.kind}-{row.history_id}"

    record = f"{tracked.kind}-{row.id}"
    if was_public and (not row.is_published or row.history_type == "-"):
        return Change(
            key=key,
            at=row.history_date,
            kind=tracked.kind,
            action=WITHDRAWN,
            headline=_tombstone_headline(tracked.kind, row, context),
            url=_parent_url(tracked.kind, row, context),
            reason=reason,
            record=record,
            subject=_tombstone_subject(tracked.kind, row, context),
        )
    if not is_public_now or not _was_under_a_public_parent(tracked.kind, row, context):
        return None
    name, url = _name_and_url(tracked.kind, row, context)
    subject = _subject(tracked.kind, row, context)
    if not was_public:
        return Change(
            key=key,
            at=row.history_date,
            kind=tracked.kind,
            action=PUBLISHED,
            headline=_("%(record)s was published.") % {"record": name},
            url=url,
            reason=reason,
            record=record,
            subject=subject,
        )
    corrected = reason.startswith(CORRECTION_PREFIX)
    changed = []
    for field_name, label in tracked.fields.items():
        old, new = _value(tracked, row, field_name, "before_"), _value(tracked, row, field_name)
        if old == new:
            continue
        quoted = field_name not in tracked.texts
        precision = getattr(row, "precision", None) or clock.Precision.MINUTE
        old_precision = getattr(row, "before_precision", None) or precision
        zone = getattr(row, "time_zone", None)
        old_zone = getattr(row, "before_time_zone", None) or zone
        changed.append(
            FieldChange(
                label=str(label),
                old=_display(tracked, field_name, old, context, old_precision, old_zone)
                if quoted and not corrected
                else None,
                new=_display(tracked, field_name, new, context, precision, zone)
                if quoted
                else None,
            )
        )
    if not changed:
        return None
    if corrected:
        action, headline = CORRECTED, _("%(record)s was corrected.")
    elif tracked.kind == "event" and row.verification == "retracted":
        action, headline = RETRACTED, _("%(record)s was retracted.")
    else:
        action, headline = CHANGED, _("%(record)s changed.")
    said = None
    if tracked.kind == "commitment" and row.status != getattr(row, "before_status", row.status):
        said = context.status_log.get((row.id, reason.removeprefix(CORRECTION_PREFIX)))
    return Change(
        key=key,
        at=row.history_date,
        kind=tracked.kind,
        action=action,
        headline=headline % {"record": name},
        url=url,
        reason=reason,
        fields=changed,
        record=record,
        subject=subject,
        said=said,
    )


def _was_under_a_public_parent(kind: str, row, context: _Context) -> bool:
    """Whether the version in ``row`` belonged to a commitment the public sees now.

    A claim or reading moved through a commitment the public does not see
    (a draft) left versions there that nothing public can be said about.
    """
    return kind not in ("reading", "event") or row.commitment_id in context.commitments


def _value(tracked: Tracked, row, name: str, prefix: str = ""):
    """A field of a history row (or of the version before it), as the reader reads it."""
    if name not in tracked.translated:
        return getattr(row, prefix + name)
    versions = {column: getattr(row, prefix + column) for column in translated.columns(name)}
    return str(translated.text({name: getattr(row, prefix + name), **versions}, name))


def _title(record, field: str = "title") -> str:
    return str(translated.text(record, field))


def _name_and_url(kind: str, row, context: _Context) -> tuple[str, str]:
    """How a public record is named in a sentence, and where it is shown."""
    if kind == "agreement":
        return _("The agreement “%(title)s”") % {"title": _title(row)}, reverse(
            "agreement", args=[row.slug]
        )
    if kind == "commitment":
        return _("The commitment “%(title)s”") % {"title": _title(row)}, reverse(
            "commitment", args=[row.slug]
        )
    commitment = context.commitments[row.commitment_id]
    url = reverse("commitment", args=[commitment.slug])
    if kind == "reading":
        return _("The reading “%(label)s” of “%(commitment)s”") % {
            "label": _title(row, "label"),
            "commitment": _title(commitment),
        }, f"{url}#readings"
    return _("An event on “%(commitment)s” (%(day)s)") % {
        "commitment": _title(commitment),
        "day": day_text(calendar_day(row.occurred_at, row.precision)),
    }, f"{url}#event-{row.id}"


def _subject(kind: str, row, context: _Context) -> str:
    """A public record named for the changelog: what it is, and for a claim, who claims what.

    "Alleged violation, claimed by Russia against Ukraine, on “Pause on
    strikes against energy infrastructure” (28 March 2025)".
    """
    if kind == "agreement":
        return _("Agreement “%(title)s”") % {"title": _title(row)}
    if kind == "commitment":
        return _("Commitment “%(title)s”") % {"title": _title(row)}
    commitment = _title(context.commitments[row.commitment_id])
    if kind == "reading":
        return _("Reading “%(label)s” of “%(commitment)s”") % {
            "label": _title(row, "label"),
            "commitment": commitment,
        }
    return _("%(claim)s, on “%(commitment)s” (%(day)s)") % {
        "claim": claim_words(
            row.kind, row.claimant_id, row.accused_id, context.party_names, row.verification
        ),
        "commitment": commitment,
        "day": day_text(calendar_day(row.occurred_at, row.precision)),
    }


def claim_words(kind: str, claimant_id, accused_id, names: dict, verification: str = "") -> str:
    """A claim by its kind and sides: "Alleged violation, claimed by Russia against Ukraine".

    A violation our reviewers verified is named as the claim's page names it,
    "Verified violation", never as alleged.
    """
    if violation_standing(kind, verification) == VERIFIED:
        name = _("verified violation")
    else:
        name = EventKind(kind).label if kind in EventKind.values else kind
    words = {
        "kind": capfirst(name),
        "claimant": names.get(claimant_id),
        "accused": names.get(accused_id),
    }
    if words["claimant"] and words["accused"]:
        return _("%(kind)s, claimed by %(claimant)s against %(accused)s") % words
    if words["claimant"]:
        return _("%(kind)s, claimed by %(claimant)s") % words
    if words["accused"]:
        return _("%(kind)s, against %(accused)s") % words
    return str(words["kind"])


def _tombstone_subject(kind: str, row, context: _Context) -> str:
    """A record withdrawn from publication, named only by its kind and its public parent."""
    if kind == "agreement":
        return _("An agreement")
    if kind == "commitment":
        agreement = context.agreements.get(row.agreement_id)
        if agreement:
            return _("A commitment under “%(agreement)s”") % {"agreement": _title(agreement)}
        return _("A commitment")
    commitment = context.commitments.get(row.commitment_id)
    if kind == "reading":
        if commitment:
            return _("A reading of “%(commitment)s”") % {"commitment": _title(commitment)}
        return _("A reading")
    if commitment:
        return _("A claim on “%(commitment)s”") % {"commitment": _title(commitment)}
    return _("A claim")


def _tombstone_headline(kind: str, row, context: _Context) -> str:
    """Say that a record left public view, naming only its public parent."""
    if kind == "agreement":
        return _("An agreement was withdrawn from publication.")
    if kind == "commitment":
        agreement = context.agreements.get(row.agreement_id)
        if agreement:
            return _("A commitment under “%(agreement)s” was withdrawn from publication.") % {
                "agreement": _title(agreement)
            }
        return _("A commitment was withdrawn from publication.")
    commitment = context.commitments.get(row.commitment_id)
    if kind == "reading":
        if commitment:
            return _("A reading of “%(commitment)s” was withdrawn from publication.") % {
                "commitment": _title(commitment)
            }
        return _("A reading was withdrawn from publication.")
    if commitment:
        return _("An event on “%(commitment)s” was withdrawn from publication.") % {
            "commitment": _title(commitment)
        }
    return _("An event was withdrawn from publication.")


def _parent_url(kind: str, row, context: _Context) -> str | None:
    if kind == "commitment" and row.agreement_id in context.agreements:
        return reverse("agreement", args=[context.agreements[row.agreement_id].slug])
    if kind in ("reading", "event") and row.commitment_id in context.commitments:
        return reverse("commitment", args=[context.commitments[row.commitment_id].slug])
    return None


def _display(
    tracked: Tracked,
    name: str,
    value,
    context: _Context,
    precision: str = "minute",
    own_zone: str | None = None,
) -> str:
    """A field value as a reader sees it: choice labels, party names, times and zones in words.

    An instant is said as precisely as its record gives it, a day in the
    zone its wording meant (``clock.instant_text``).
    """
    if value is None or value == "":
        return "—"
    if name in ("claimant_id", "accused_id"):
        return context.party_names.get(value, "—")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "time_zone":
        return clock.zone_time(value)
    if name == "shape" and value in Shape.values:
        return Shape(value).in_words
    if isinstance(value, dt.datetime):
        return clock.instant_text(value, precision, context.tz_name, own_zone=own_zone)
    if isinstance(value, dt.date):
        return day_text(value)
    model_field = tracked.model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)
