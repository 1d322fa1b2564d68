"""The search page: published commitments, agreements, claims and sources, found by their words.

The page reads through ``public.search`` and then loads the records of the
page shown through ``tracker.public``, like every other page. Each result
says what it is, shows its title or summary in the reader's language (or
the English one, marked), with the words searched for marked, and links to
the page that shows it: a claim to its commitment's page, at the claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from tracker import public, translated
from tracker.http import cached_fragment, public_cache
from tracker.search import CANDIDATES, Hit, QueryError, read
from tracker.search.documents import DOCUMENTS
from tracker.search.words import excerpt, found_in
from tracker.site import presenters
from tracker.site.filters import page_field

RESULTS_PER_PAGE = 20

# What the page searches, as its address names them, and what it calls them.
KINDS = {
    "commitment": ("commitment", gettext_lazy("Commitments")),
    "agreement": ("agreement", gettext_lazy("Agreements")),
    "claim": ("event", gettext_lazy("Claims")),
    "source": ("source", gettext_lazy("Sources")),
}
NAMES = {kind: name for name, (kind, _label) in KINDS.items()}
MAX_PAGES = len(KINDS) * CANDIDATES // RESULTS_PER_PAGE


SEARCH_PARAMETERS = ("q", "kind", "page")


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=False)
    kind = forms.ChoiceField(
        required=False, choices=[("", "")] + [(name, label) for name, (_k, label) in KINDS.items()]
    )
    page = page_field(MAX_PAGES)


@public_cache(parameters=SEARCH_PARAMETERS)
@require_safe
def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        errors = [message for messages in form.errors.values() for message in messages]
        return render(request, "tracker/search.html", {"errors": errors}, status=400)
    chosen = form.cleaned_data
    try:
        query = read(chosen["q"])
    except QueryError as exc:
        return render(request, "tracker/search.html", {"errors": [str(exc)]}, status=400)
    context = {"query": query, "q": query.text, "search_text": query.text, "kind": chosen["kind"]}
    if query:
        try:
            context["listing"] = cached_fragment(
                request, "search", lambda: _listing(request, query, chosen)
            )
        except presenters.NoSuchPage as exc:
            context["errors"] = [str(exc)]
            return render(request, "tracker/search.html", context, status=400)
    return render(request, "tracker/search.html", context)


def _listing(request, query, chosen: dict) -> str:
    """The counts by kind, one page of results and the links to the others."""
    results = public.search(query, [kind for kind, _label in KINDS.values()])
    kind = KINDS[chosen["kind"]][0] if chosen["kind"] else None
    hits = [hit for hit in results.hits if kind is None or hit.kind == kind]
    paginator = Paginator(hits, RESULTS_PER_PAGE, allow_empty_first_page=True)
    number = chosen["page"] or 1
    presenters.require_page(
        paginator, number, _("There is no page %(page)d: the results fill %(pages)d.")
    )
    page = paginator.page(number)
    page.object_list = shown(page.object_list, query)
    counts = [
        {
            "name": name,
            "label": label,
            "count": len(results.by_kind[kind_of].hits),
            "complete": results.by_kind[kind_of].complete,
        }
        for name, (kind_of, label) in KINDS.items()
    ]
    return render_to_string(
        "tracker/_search_results.html",
        {
            "query": query,
            "page": page,
            "counts": counts,
            "kind": chosen["kind"],
            "count": len(hits),
            "complete": all(
                c["complete"] for c in counts if not kind or c["name"] == chosen["kind"]
            ),
        },
        request,
    )


# What a result shows --------------------------------------------------------------------


@dataclass
class Shown:
    """A result as the page shows it."""

    kind: str
    record: object
    url: str
    title: translated.Text
    excerpt: translated.Text | None


def shown(hits: list[Hit], query) -> list[Shown]:
    """The page's results with their records, loaded through ``tracker.public``, in order."""
    records = {}
    for kind, load in LOADERS.items():
        pks = [hit.pk for hit in hits if hit.kind == kind]
        if pks:
            records.update({(kind, r.pk): r for r in load(pks)})
    results = []
    for hit in hits:
        record = records.get((hit.kind, hit.pk))
        if record is None:  # withdrawn between the search and the page
            continue
        document = DOCUMENTS[hit.kind]
        title = translated.text(hit.texts, document.title[0])
        results.append(
            Shown(
                kind=NAMES[hit.kind],
                record=record,
                url=_address(hit.kind, record),
                title=_cut(title, query.words, 40),
                excerpt=where_found(hit, title, query.words),
            )
        )
    return results


def _cut(text: translated.Text, words, length: int) -> translated.Text:
    return translated.Text(excerpt(text, words, length), text.language, text.is_fallback)


def where_found(hit: Hit, title: translated.Text, words) -> translated.Text | None:
    """What to show under the title: a text where the words are, in the reader's language if any.

    Nothing when the title shows them and nothing else holds them. When
    only another language's text holds them (a Ukrainian search, an English
    page), that text is shown, in its language.
    """
    document = DOCUMENTS[hit.kind]
    for field in document.body:
        text = translated.text(hit.texts, field)
        if found_in(text, words):
            return _cut(text, words, 30)
    for column in document.plain_body:
        value = hit.texts.get(column) or ""
        if found_in(value, words):
            return translated.Text(excerpt(value, words), "")
    if found_in(title, words):
        return None
    for column in document.columns:
        value = hit.texts.get(column) or ""
        if column not in document.plain_body and found_in(value, words):
            return translated.Text(excerpt(value, words), column.rsplit("_", 1)[1])
    return None


def _sources(pks: list[int]):
    """The sources, with where each is cited: an agreement, or a commitment's reading or claim."""
    agreements = public.agreements().filter(sources=OuterRef("pk")).order_by("-held_on", "pk")
    readings = public.readings().filter(sources=OuterRef("pk")).order_by("pk")
    events = public.events().filter(sources=OuterRef("pk")).order_by("-pk")
    return public.sources(among=pks).annotate(
        cited_by_agreement=Subquery(agreements.values("slug")[:1]),
        cited_by_reading=Subquery(readings.values("pk")[:1]),
        reading_commitment=Subquery(readings.values("commitment__slug")[:1]),
        cited_by_event=Subquery(events.values("pk")[:1]),
        event_commitment=Subquery(events.values("commitment__slug")[:1]),
    )


LOADERS = {
    "commitment": lambda pks: public.commitments().filter(pk__in=pks).select_related("agreement"),
    "agreement": lambda pks: public.agreements().filter(pk__in=pks),
    "event": lambda pks: (
        public.events().filter(pk__in=pks).select_related("commitment", "claimant", "accused")
    ),
    "source": _sources,
}


def _address(kind: str, record) -> str:
    if kind == "event":
        return f"{record.commitment.get_absolute_url()}#event-{record.pk}"
    if kind != "source":
        return record.get_absolute_url()
    if record.cited_by_agreement:
        return reverse("agreement", args=[record.cited_by_agreement])
    if record.cited_by_reading:
        page = reverse("commitment", args=[record.reading_commitment])
        return f"{page}#reading-{record.cited_by_reading}"
    return f"{reverse('commitment', args=[record.event_commitment])}#event-{record.cited_by_event}"
