"""Atom feeds, with Django's syndication framework.

Two feeds: the site's changelog (the same entries as /changes/, tombstones
included), and one per commitment with its status changes and published
events. Both read only public records. Entries carry stable ids (tag URIs), so
a feed reader shows an updated event (verified, say) as updated rather than
new. Links are made absolute by the syndication framework.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import (
    changelog,
    changelog_groups,
    clock,
    public,
    public_past,
    public_past_records,
    words,
)
from tracker.http import public_cache
from tracker.models import Commitment, ComplianceEvent, LedgerCheckpoint, Source, StatusChange
from tracker.opendata import past
from tracker.opendata.calendar import uid_domain
from tracker.templatetags.tracker_tags import claim_kind

FEED_LENGTH = 50


@dataclass(frozen=True)
class Entry:
    """One feed entry, whatever record it comes from."""

    id: str
    title: str
    description: str
    link: str
    published: dt.datetime
    updated: dt.datetime


class EntryFeed(Feed):
    """An Atom feed of ``Entry`` objects; subclasses say which entries and what to call them."""

    feed_type = Atom1Feed

    def author_name(self) -> str:
        # Atom requires an author; the record speaks for the site, never for a staff member.
        return _("Ceasefire Commitment Tracker")

    def item_title(self, entry: Entry) -> str:
        return entry.title

    def item_description(self, entry: Entry) -> str:
        return entry.description

    def item_link(self, entry: Entry) -> str:
        return entry.link

    def item_guid(self, entry: Entry) -> str:
        return entry.id

    item_guid_is_permalink = False

    def item_pubdate(self, entry: Entry) -> dt.datetime:
        return entry.published

    def item_updateddate(self, entry: Entry) -> dt.datetime:
        return entry.updated


def tag(name: str) -> str:
    """A permanent entry id (RFC 4151 tag URI) that does not depend on the address used."""
    return f"tag:{uid_domain()},2025:{name}"


def event_entry(event: ComplianceEvent, page: str) -> Entry:
    parties = {
        # A verified violation is named so, as on the claim's page, never "Alleged violation".
        "kind": capfirst(claim_kind(event)),
        "claimant": event.claimant or _("an unnamed party"),
        "accused": event.accused,
        "verification": event.get_verification_display(),
    }
    if event.accused:
        title = _("%(kind)s: %(claimant)s against %(accused)s (%(verification)s)") % parties
    else:
        title = _("%(kind)s, reported by %(claimant)s (%(verification)s)") % parties
    sources: list[Source] = list(event.sources.all())
    description = format_html(
        "<p>{}</p><p>{}: {}</p>{}",
        event.summary,
        _("Occurred"),
        clock.instant_text(event.occurred_at, event.precision),
        format_html(
            "<p>{}</p><ul>{}</ul>",
            _("Sources"),
            format_html_join("", '<li><a href="{}">{}</a></li>', ((s.url, s) for s in sources)),
        )
        if sources
        else "",
    )
    return Entry(
        id=tag(f"event-{event.pk}"),
        title=title,
        description=description,
        link=f"{page}#event-{event.pk}",
        published=event.recorded_at,
        updated=max(event.recorded_at, event.updated_at),
    )


def status_entry(change: StatusChange, page: str) -> Entry:
    """A transition, with its reason; the actor is a role, never a person."""
    title = _("Status: %(from)s → %(to)s") % {
        "from": change.get_from_status_display(),
        "to": change.get_to_status_display(),
    }
    if change.is_correction:
        title = _("Correction: %(title)s") % {"title": title}
    description = format_html(
        "<p>{}</p><p>{}: {} · {}: {}</p>",
        words.reason_for_readers(change.reason),
        _("Took effect"),
        clock.instant_text(change.effective_at, change.precision, own_zone=change.time_zone),
        _("By"),
        change.get_actor_display(),
    )
    return Entry(
        id=tag(f"status-change-{change.pk}"),
        title=title,
        description=description,
        link=f"{page}#history",
        published=change.recorded_at,
        updated=change.recorded_at,
    )


class PastOrPresentFeed(EntryFeed):
    """A feed of today's record, or with ``?as_of=`` of the record as published at a day's end.

    A refused day is a 400 in plain text naming the days there are.
    """

    def __call__(self, request, *args, **kwargs):
        try:
            past.asked_of(request)
        except past.Refused as refused:
            words = "\n".join(m for messages in refused.problems.values() for m in messages)
            return HttpResponseBadRequest(words + "\n", content_type="text/plain; charset=utf-8")
        return super().__call__(request, *args, **kwargs)


class CommitmentFeed(PastOrPresentFeed):
    """A published commitment's status changes and published events, newest first.

    As of a past day: the transitions recorded by its end, and the claims
    shown then, each as it stood then.
    """

    def get_object(self, request, slug: str) -> Commitment:
        commitment = get_object_or_404(public.commitments(), slug=slug)
        commitment.past = past.asked_of(request)
        if (
            commitment.past is not None
            and not public_past.commitment_versions(
                commitment.past.moment, id=commitment.pk
            ).exists()
        ):
            raise Http404("Not public at the end of that day.")
        return commitment

    def title(self, commitment: Commitment) -> str:
        return _("%(title)s: status and events") % {"title": commitment.title}

    def subtitle(self, commitment: Commitment) -> str:
        return _("Status changes and published compliance events for this commitment.")

    def link(self, commitment: Commitment) -> str:
        return commitment.get_absolute_url()

    def items(self, commitment: Commitment) -> list[Entry]:
        page = commitment.get_absolute_url()
        changes = public.status_changes().filter(commitment=commitment)
        if commitment.past is None:
            events = (
                public.events()
                .filter(commitment=commitment)
                .select_related("claimant", "accused")
                .prefetch_related(public.cited_sources())
                .order_by("-recorded_at", "-pk")[:FEED_LENGTH]
            )
        else:
            moment = commitment.past.moment
            changes = changes.filter(recorded_at__lt=moment)
            shown = public_past.event_versions(moment).filter(commitment_id=commitment.pk)
            events = public_past_records.event_records(
                shown.select_related("commitment", "claimant", "accused").order_by(
                    "-recorded_at", "-id"
                )[:FEED_LENGTH],
                moment,
            )
        changes = changes.order_by("-recorded_at", "-pk")[:FEED_LENGTH]
        entries = [status_entry(c, page) for c in changes] + [event_entry(e, page) for e in events]
        entries.sort(key=lambda entry: entry.updated, reverse=True)
        return entries[:FEED_LENGTH]


commitment_feed = public_cache(CommitmentFeed(), etag_func=past.download_etag)


ACTIONS = {
    changelog.PUBLISHED: gettext_lazy("published"),
    changelog.CHANGED: gettext_lazy("change"),
    changelog.CORRECTED: gettext_lazy("correction"),
    changelog.RETRACTED: gettext_lazy("retraction"),
    changelog.WITHDRAWN: gettext_lazy("withdrawn from publication"),
}


def change_step(change: changelog.Change) -> str:
    """One change of a changelog entry: when, what kind of change, the values and the reason."""
    details = format_html_join(
        "",
        "<li>{}: {}</li>",
        (
            (f.label, _("reworded") if f.new is None else f"{f.old} → {f.new}" if f.old else f.new)
            for f in change.fields
        ),
    )
    reason = words.reason_for_readers(change.reason)
    return format_html(
        "<li><p>{} · {}</p>{}{}</li>",
        clock.instant_text(change.at),
        ACTIONS.get(change.action, change.action),
        format_html("<ul>{}</ul>", details) if change.fields else "",
        format_html("<p>{} {}</p>", _("Reason:"), reason) if reason else "",
    )


def change_entry(group: changelog_groups.Group) -> Entry:
    """A changelog entry: the changes to one record on one day, or one load of the demo data.

    Its id stays the same all day, so a feed reader shows a later change to
    the same record that day as an update of the entry; a tombstone links to
    the record's public parent or to /changes/.
    """
    if group.is_demo_load:
        description = format_html("<p>{}</p>", group.loaded)
    else:
        steps = format_html_join("", "{}", ((change_step(c),) for c in group.changes))
        description = format_html("<ol>{}</ol>", steps)
    return Entry(
        id=tag(f"changes-{group.key}"),
        title=group.subject,
        description=description,
        link=group.url or reverse("changes"),
        published=group.changes[-1].at,
        updated=group.at,
    )


class ChangesFeed(PastOrPresentFeed):
    """Recent changes to published records, with withdrawals shown as tombstones.

    As of a past day: the changes made by its end, as the log reads today
    (a record withdrawn since is left out), and the checkpoints signed by then.
    """

    def get_object(self, request) -> past.Past | None:
        return past.asked_of(request)

    def title(self) -> str:
        return _("Ceasefire Commitment Tracker: recent changes")

    def subtitle(self) -> str:
        return _("What changed in the published record, and why.")

    def link(self) -> str:
        return reverse("changes")

    def items(self, asked: past.Past | None) -> list[Entry]:
        before = None if asked is None else asked.moment
        groups = changelog_groups.recent_groups(FEED_LENGTH, before=before)
        if before is not None:
            groups = shown_then(groups, before)
        entries = [change_entry(group) for group in groups]
        checkpoints = LedgerCheckpoint.objects.all()
        if before is not None:
            checkpoints = checkpoints.filter(signed_at__lt=before)
        entries += [checkpoint_entry(c) for c in checkpoints[:CHECKPOINTS]]
        entries.sort(key=lambda entry: entry.updated, reverse=True)
        return entries[:FEED_LENGTH]


def shown_then(groups: list[changelog_groups.Group], moment: dt.datetime) -> list:
    """The entries as of ``moment``: each record's changes only if it was shown then.

    Today's log names a record's changes when it is public today, so a record
    published under a parent published later would show its first changes
    from before it was public. A withdrawal stays as its tombstone, which
    names nothing, unless the record is public again today: its tombstone
    would be named as it reads today.
    """
    names = {change.record for group in groups for change in group.changes if change.record}
    shown = public_past_records.shown_among(names, moment)
    public_now = public_past_records.shown_among(names, None)
    kept = []
    for group in groups:
        changes = [
            c
            for c in group.changes
            if c.record in shown or (c.is_tombstone and c.record not in public_now)
        ]
        if not changes:
            continue
        loaded = changelog_groups.loaded_words(changes) if group.is_demo_load else ""
        kept.append(dataclasses.replace(group, changes=changes, loaded=loaded))
    return kept


# The feed carries the latest checkpoints of the public log, so whoever reads it keeps a copy
# of each: a witness that the log shown later extends the one shown then.
CHECKPOINTS = 10


def checkpoint_entry(checkpoint: LedgerCheckpoint) -> Entry:
    title = _("Checkpoint of the public log: %(size)s entries") % {"size": checkpoint.size}
    description = format_html(
        "<p>{}</p><pre>{}</pre>",
        _("Signed %(when)s.") % {"when": clock.instant_text(checkpoint.signed_at)},
        checkpoint.note,
    )
    return Entry(
        id=tag(f"ledger-checkpoint-{checkpoint.size}"),
        title=title,
        description=description,
        link=reverse("ledger"),
        published=checkpoint.signed_at,
        updated=checkpoint.signed_at,
    )


changes_feed = public_cache(ChangesFeed(), etag_func=past.download_etag)
