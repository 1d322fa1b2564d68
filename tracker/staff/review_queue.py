"""The review queue: everything that waits for a reviewer, on one page, oldest first.

What waits: claims not yet verified or not yet published, agreements,
commitments and readings not yet published, and edits of public records
(revisions). A claim probably repeating another is marked, and can be listed
alone. Each claim comes with its sources and the other side's claims of the
same commitment on the same day, so it can be judged without leaving the page.

Each item has one form: say how a claim stands (nothing is chosen for the
reviewer) and publish it, or its revision, in one step; or send it back to
its editors with a reason. Ticked items are decided together with one form
at the top, every record still getting its own history rows. A record sent
back leaves the queue until it is edited again. Nothing here writes: each
decision is one call of ``services.review_and_publish``, ``publish_revision``
or ``send_back``.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.http import urlencode

from tracker import services
from tracker.models import (
    Agreement,
    Commitment,
    ComplianceEvent,
    Reading,
    Revision,
    SentBack,
    Verification,
)
from tracker.services import TrackerError
from tracker.staff.forms import reason_field
from tracker.staff.review import admin_url_of, diff_rows, verification_field
from tracker.staff.sources import sources_list

PER_PAGE = 25
PUBLISH = "tracker.publish_records"
RECORDS = {"claim": ComplianceEvent, "reading": Reading, "commitment": Commitment}
RECORDS["agreement"] = Agreement
SHOWS = {
    "all": "Everything",
    "claims": "Claims",
    "records": "Other records",
    "revisions": "Edits of public records",
    "duplicates": "Possible duplicates",
}


# What waits ------------------------------------------------------------------------------------


class Waiting:
    """(kind, id, waiting since) of everything that waits, oldest first, read a page at a time.

    Each kind is its own query, oldest first; a page is merged from the
    first rows of each, so a page reads no more of any kind than the pages
    up to it show. ``count()`` and slicing are what a ``Paginator`` asks of it.
    """

    def __init__(self, parts: list[tuple[str, QuerySet, str]]):
        self.parts = parts  # (kind, records, the field saying since when they wait)

    def count(self) -> int:
        return sum(records.count() for _, records, _ in self.parts)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[tuple[str, int, dt.datetime]]:
        start, stop = page.start or 0, page.stop
        streams = [
            [
                (since, kind, pk)
                for pk, since in records.order_by(field, "pk").values_list("pk", field)[:stop]
            ]
            for kind, records, field in self.parts
        ]
        merged = heapq.merge(*streams)
        return [(kind, pk, since) for since, kind, pk in merged][start:stop]


def _waiting(model, condition: Q) -> QuerySet:
    """Records of ``model`` meeting ``condition``, not sent back as they are, not being revised."""
    content_type = ContentType.objects.get_for_model(model)
    sent_back = SentBack.objects.filter(
        record_type=content_type, record_id=OuterRef("pk"), version=OuterRef("version")
    )
    revised = Revision.objects.filter(
        record_type=content_type, record_id=OuterRef("pk"), state=Revision.State.PENDING
    )
    return model.objects.filter(condition).filter(~Exists(sent_back), ~Exists(revised))


def waiting(show: str = "all", commitment: int | None = None) -> Waiting:
    """Everything that waits for a reviewer, oldest first.

    ``show`` keeps one part of the queue (``SHOWS``); ``commitment`` keeps
    what belongs to one commitment.
    """
    of_commitment = Q(commitment_id=commitment) if commitment else Q()
    claims = Q(is_published=False) | Q(verification=Verification.UNVERIFIED)
    if show == "duplicates":
        claims &= Q(possible_duplicate_of__isnull=False)
    parts = []
    if show in ("all", "claims", "duplicates"):
        parts.append(("claim", _waiting(ComplianceEvent, claims & of_commitment), "updated_at"))
    if show in ("all", "records"):
        unpublished = Q(is_published=False)
        parts.append(("reading", _waiting(Reading, unpublished & of_commitment), "updated_at"))
        this_one = Q(pk=commitment) if commitment else Q()
        parts.append(("commitment", _waiting(Commitment, unpublished & this_one), "updated_at"))
        if not commitment:
            parts.append(("agreement", _waiting(Agreement, unpublished), "updated_at"))
    if show in ("all", "revisions"):
        revisions = Revision.objects.filter(state=Revision.State.PENDING)
        if commitment:
            revisions = revisions.filter(_revisions_of_commitment(commitment))
        parts.append(("revision", revisions, "proposed_at"))
    return Waiting(parts)


def _revisions_of_commitment(commitment: int) -> Q:
    types = ContentType.objects.get_for_models(Commitment, Reading, ComplianceEvent)
    readings = Reading.objects.filter(commitment_id=commitment).values("pk")
    claims = ComplianceEvent.objects.filter(commitment_id=commitment).values("pk")
    return (
        Q(record_type=types[Commitment], record_id=commitment)
        | Q(record_type=types[Reading], record_id__in=readings)
        | Q(record_type=types[ComplianceEvent], record_id__in=claims)
    )


@dataclass
class Item:
    """One thing waiting: a record, or a revision of one; what a reviewer needs to judge it."""

    kind: str
    pk: int
    since: dt.datetime
    record: object = None
    revision: Revision | None = None
    diff: list = field(default_factory=list)
    sources: str = ""
    other_side: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def claim(self) -> ComplianceEvent | None:
        return self.record if isinstance(self.record, ComplianceEvent) else None

    @property
    def admin_url(self) -> str | None:
        return admin_url_of(self.record) if self.record is not None else None

    @property
    def record_kind(self) -> str:
        return "claim" if self.claim else self.record._meta.verbose_name

    @property
    def needs(self) -> str:
        """What a reviewer does to it, in words."""
        if self.revision is not None:
            return "publish the changes"
        if self.claim and not self.claim.is_published:
            return "verify and publish"
        if self.claim:
            return "verify"
        return "publish"


def load(rows) -> list[Item]:
    """The items of one page, each with its record, and a claim's sources and the other side's."""
    items = [Item(kind, pk, since) for kind, pk, since in rows]
    by_kind = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(item.pk)
    revisions = Revision.objects.select_related("record_type", "proposed_by").in_bulk(
        by_kind["revision"]
    )
    records = {}
    for kind, model in RECORDS.items():
        query = model.objects.all()
        if model is ComplianceEvent:
            query = query.select_related(
                "commitment", "claimant", "accused", "possible_duplicate_of"
            )
        elif model in (Reading,):
            query = query.select_related("commitment")
        records[kind] = query.in_bulk(by_kind[kind])
    for item in items:
        if item.kind == "revision":
            item.revision = revisions[item.pk]
            item.record = item.revision.record
            item.diff = diff_rows(item.revision)
        else:
            item.record = records[item.kind][item.pk]
    claims = [item.claim for item in items if item.claim is not None]
    other_side = claims_of_the_other_side(claims)
    for item in items:
        if item.claim is not None:
            item.sources = sources_list(item.claim)
            item.other_side = other_side.get(item.claim.pk, [])
    return items


def claims_of_the_other_side(claims: list[ComplianceEvent]) -> dict[int, list[ComplianceEvent]]:
    """For each claim, the claims of the same commitment on the same day by another claimant."""
    if not claims:
        return {}
    days = Q()
    for claim in claims:
        days |= Q(commitment_id=claim.commitment_id, occurred_on=claim.occurred_on)
    same_days = (
        ComplianceEvent.objects.filter(days)
        .select_related("claimant", "accused")
        .order_by("occurred_at", "pk")
    )
    found = defaultdict(list)
    for other in same_days:
        for claim in claims:
            same_day = (other.commitment_id, other.occurred_on) == (
                claim.commitment_id,
                claim.occurred_on,
            )
            if same_day and other.pk != claim.pk and other.claimant_id != claim.claimant_id:
                found[claim.pk].append(other)
    return found


# Deciding ----------------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    """One step for one item or the ticked ones: publish (a claim verified as chosen), or send back.

    The button pressed says which (``publish`` or ``send_back``); a claim's
    verification has no default, and is needed to publish one.
    """

    selected = forms.MultipleChoiceField(required=False)
    verification = verification_field(required=False)
    reason = reason_field()

    def __init__(self, *args, keys: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].choices = [(key, key) for key in keys]

    def clean(self):
        cleaned_data = super().clean()
        publish, send_back = "publish" in self.data, "send_back" in self.data
        if publish == send_back:
            raise forms.ValidationError("Publish, or send back: press one of the two.")
        cleaned_data["publish"] = publish
        if not cleaned_data.get("selected"):
            raise forms.ValidationError("Tick what to decide.")
        return cleaned_data


def decide(request, keys: list[str], *, publish: bool, verification: str, reason: str) -> int:
    """Publish or send back each item, all or none; returns how many. Raises the first refusal.

    Each record gets its own service calls, and so its own history rows.
    """
    with transaction.atomic():
        for key in keys:
            target = _target(key)
            try:
                _decide_one(
                    request, target, publish=publish, verification=verification, reason=reason
                )
            except TrackerError as refusal:
                refusal.item = target.record if isinstance(target, Revision) else target
                raise
    return len(keys)


def _target(key: str):
    """The record or revision a key names ("claim:12", "revision:3"), or a refusal saying so."""
    kind, _, pk = key.partition(":")
    model = Revision if kind == "revision" else RECORDS.get(kind)
    is_id = pk.isdigit() and len(pk) <= 18  # anything longer is no row's id, and no column's
    found = model.objects.filter(pk=int(pk)).first() if model and is_id else None
    if found is None:
        refusal = TrackerError("It is no longer there; reload the queue.")
        refusal.item = key
        raise refusal
    return found


def _decide_one(request, target, *, publish: bool, verification: str, reason: str) -> None:
    record = target.record if isinstance(target, Revision) else target
    is_claim = isinstance(record, ComplianceEvent)
    if not publish:
        services.send_back(target, actor=request.user, reason=reason)
        return
    if is_claim and not verification:
        raise services.InvalidEvent(
            "Say how the claim stands: choose its verification before publishing it."
        )
    chosen = verification if is_claim else None
    if isinstance(target, Revision):
        services.publish_revision(target, actor=request.user, reason=reason, verification=chosen)
    else:
        services.review_and_publish(target, actor=request.user, reason=reason, verification=chosen)


# The page ---------------------------------------------------------------------------------------


def queue_view(request):
    """The review queue. Staff in either role read it; reviewers decide."""
    if not (request.user.has_perm("tracker.view_revision") or request.user.is_superuser):
        raise PermissionDenied
    show = request.GET.get("show", "all")
    show = show if show in SHOWS else "all"
    commitment = request.GET.get("commitment", "")
    commitment = int(commitment) if commitment.isdigit() and len(commitment) < 12 else None
    may_decide = request.user.has_perm(PUBLISH)
    rows = waiting(show, commitment)
    paginator = Paginator(rows, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    items = load(page.object_list)

    form = DecisionForm(
        request.POST if request.method == "POST" else None, keys=[item.key for item in items]
    )
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        # What was ticked may have moved to another page since it was shown; accept it anyway.
        form.fields["selected"].choices = [(k, k) for k in request.POST.getlist("selected")]
        if form.is_valid():
            try:
                count = decide(
                    request,
                    form.cleaned_data["selected"],
                    publish=form.cleaned_data["publish"],
                    verification=form.cleaned_data["verification"],
                    reason=form.cleaned_data["reason"],
                )
            except TrackerError as refusal:
                name = getattr(refusal, "item", "")
                form.add_error(None, [f"“{name}”: {message}" for message in refusal.messages])
            else:
                done = "published" if form.cleaned_data["publish"] else "sent back"
                messages.success(request, f"{count} {'item' if count == 1 else 'items'} {done}.")
                return HttpResponseRedirect(request.get_full_path())

    query = {"show": show, **({"commitment": commitment} if commitment else {})}
    context = {
        **admin.site.each_context(request),
        "title": "Review queue",
        "items": items,
        "page": page,
        "count": paginator.count,
        "show": show,
        "shows": [
            (key, label, "?" + urlencode({**query, "show": key})) for key, label in SHOWS.items()
        ],
        "query": urlencode(query),
        "commitment": Commitment.objects.filter(pk=commitment).first() if commitment else None,
        "form": form,
        "may_decide": may_decide,
        "verification_choices": form.fields["verification"].choices,
    }
    return TemplateResponse(request, "admin/tracker/review_queue.html", context)
