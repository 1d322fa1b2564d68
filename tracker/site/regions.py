"""The regions pages: published claims counted by region, on a tile-grid map and in a table.

``/regions/`` counts the published claims of each region (``tracker.regions``
codes) that the filters choose (commitment, claimant, kind, verification,
period), shows them as one square tile per region, laid out by the grid of
``tracker.site.region_grid`` and shaded by the count, and gives the same
numbers in a table for those who do not see the map. ``/regions/<code>/``
lists a region's published claims, newest first, a page at a time, with the
same filters. Both are drawn for today or for the end of a past day
(``?as_of=``, as published then or ``&known=now``) by the same view and
template, from what ``tracker.site.region_records`` reads for that day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker import regions
from tracker.http import public_cache
from tracker.site import drawing, past_day, presenters, region_grid, region_records
from tracker.site.filters import EVENTS_PER_PAGE, REGION_PARAMETERS, RegionFilters

TILE = 64
GAP = 6
SHADES = 5  # 0 for no claim, then four steps up to the most claims


@dataclass
class Counted:
    code: str
    name: str
    country: str
    country_name: str
    count: int
    shade: int
    url: str
    column: int | None = None
    row: int | None = None

    @property
    def x(self) -> int:
        return self.column * (TILE + GAP)

    @property
    def y(self) -> int:
        return self.row * (TILE + GAP)

    label_lines: tuple[str, ...] = ()


# The tile's label: at most two lines of this size, inside the tile's padding.
LABEL_SIZE = 10
LABEL_WIDTH = TILE - 8
LABEL_LINES = 2
# Words that say what kind of region it is, left off a tile when its name is enough.
GENERIC_WORDS = frozenset(
    {
        *("oblast", "krai", "autonomous", "republic", "of"),
        *("область", "край", "автономна", "республіка"),
        *("автономная", "республика"),
    }
)


def tile_labels(names: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """A label for each region's tile: its name without "Oblast", on up to two lines that fit.

    Two regions whose names are alike once shortened (Kyiv, and Kyiv Oblast)
    keep the words that tell them apart. A word too long for a tile is cut
    with a full stop ("Dnipropetr."). Labels are told apart after cutting
    too: the table beside the map gives every name in full.
    """
    short = {code: _without_generic_words(name) for code, name in names.items()}
    counts: dict[str, int] = {}
    for label in short.values():
        counts[label.casefold()] = counts.get(label.casefold(), 0) + 1
    labels = {}
    for code, name in names.items():
        words = short[code] if counts[short[code].casefold()] == 1 or short[code] == name else name
        labels[code] = _fitted(words)
    return labels


def _without_generic_words(name: str) -> str:
    kept = [word for word in name.split() if word.casefold() not in GENERIC_WORDS]
    return " ".join(kept) or name


def _fitted(words: str) -> tuple[str, ...]:
    """``words`` on at most ``LABEL_LINES`` lines of ``LABEL_WIDTH``, long words cut short."""
    lines: list[str] = []
    for word in words.split():
        if lines and drawing.text_width(f"{lines[-1]} {word}", LABEL_SIZE) <= LABEL_WIDTH:
            lines[-1] = f"{lines[-1]} {word}"
        elif len(lines) < LABEL_LINES:
            lines.append(_cut(word))
        else:
            lines[-1] = _cut(f"{lines[-1]}…") if not lines[-1].endswith(".") else lines[-1]
            break
    return tuple(lines)


def _cut(word: str) -> str:
    if drawing.text_width(word, LABEL_SIZE) <= LABEL_WIDTH:
        return word
    while len(word) > 1 and drawing.text_width(f"{word}.", LABEL_SIZE) > LABEL_WIDTH:
        word = word[:-1]
    return f"{word.rstrip('-')}."


def shade(count: int, most: int) -> int:
    """0 for no claim; 1 to 4 by the share of the most any region has."""
    if count <= 0 or most <= 0:
        return 0
    return max(1, math.ceil((SHADES - 1) * count / most))


def legend(most: int) -> list[tuple[int, int, int]]:
    """(shade, fewest, most) claims each shade stands for, for the map's key."""
    steps = []
    for step in range(1, SHADES):
        fewest, highest = most * (step - 1) // (SHADES - 1) + 1, most * step // (SHADES - 1)
        if fewest <= highest:
            steps.append((step, fewest, highest))
    return steps


def counted(claims, query: str) -> tuple[list[Counted], int]:
    """Every region with a tile or a claim, with its count; and the claims with no region."""
    rows = dict(claims.order_by().values_list("region").annotate(count=Count("pk")).order_by())
    unplaced = rows.pop("", 0)
    most = max(rows.values(), default=0)
    shown = []
    for code in dict.fromkeys([*region_grid.TILES, *sorted(rows)]):
        region = regions.get(code)
        if region is None:
            continue
        column, row = region_grid.TILES.get(code, (None, None))
        count = rows.get(code, 0)
        shown.append(
            Counted(
                code=code,
                name=region.name(),
                country=region.country,
                country_name=regions.country_name(region.country),
                count=count,
                shade=shade(count, most),
                url=reverse("region", args=[code]) + query,
                column=column,
                row=row,
            )
        )
    return shown, unplaced


PARAMETERS = [*REGION_PARAMETERS, past_day.PARAMETER, past_day.MODE]


@public_cache(etag_func=past_day.page_etag, parameters=PARAMETERS)
@require_safe
def regions_map(request):
    """The map and its table today, or at the end of ``?as_of=`` in either mode."""
    return _answer(request, "tracker/regions.html", reverse("regions"), _map)


@public_cache(etag_func=past_day.page_etag, parameters=PARAMETERS)
@require_safe
def region_detail(request, code):
    """A region's claims today, or at the end of ``?as_of=`` in either mode."""
    region = regions.get(code)
    if region is None:
        raise Http404(_("There is no region with the code “%(code)s”.") % {"code": code})
    return _answer(
        request,
        "tracker/region.html",
        reverse("region", args=[code]),
        lambda context: _region(context, code),
        region=region,
        name=region.name(),
    )


def _answer(request, template: str, path: str, fill, **more):
    """A regions page: the day and mode asked, the filters checked, then the page drawn by
    ``fill`` from the records of that day, once per version for a past day."""
    as_of = None
    if past_day.PARAMETER in request.GET:
        as_of = past_day.asked_day(request, request.GET[past_day.PARAMETER], path + _query(request))
        if not isinstance(as_of, past_day.AsOf):
            return as_of
    read = region_records.read(as_of)
    filters = RegionFilters(request.GET, parties=read.parties, commitments=read.commitments)
    context = {
        **more,
        "filters": filters,
        "claimants": read.parties,
        "commitments": read.commitments.values(),
        "as_of": as_of,
        "as_of_query": f"?{as_of.query}" if as_of else "",
    }
    if as_of is not None:
        context.update(_then(request, as_of, path, more.get("name")))
    if not filters.is_valid():
        context["errors"] = [m for messages in filters.errors.values() for m in messages]
        return render(request, template, context, status=400)
    chosen = filters.cleaned_data
    context.update(
        chosen=chosen,
        is_filtered=region_records.is_filtered(chosen),
        read=read,
        claims=region_records.chosen(read.claims, chosen),
        query=_query(request, as_of.query if as_of else ""),
    )

    def page() -> str:
        fill(context)
        later = read.later(context.pop("counted"))
        context["recorded_later"] = past_day.later_words(later, as_of) if as_of else ""
        return render_to_string(template, context, request)

    try:
        if as_of is None:
            return HttpResponse(page())
        name = "as-of-regions" if more.get("region") is None else "as-of-region"
        return HttpResponse(past_day.cached(request, name, page))
    except presenters.NoSuchPage as exc:
        context["errors"] = [str(exc)]
        return render(request, template, context, status=400)


def _then(request, as_of: past_day.AsOf, path: str, name: str | None) -> dict:
    """What a past day's regions page says of its day and mode, and where it leads instead."""
    day = {"day": as_of.day_text}
    return {
        "other_mode_url": path + _query(request, as_of.other_mode_query),
        "current_url": path + _query(request),
        "current_words": _("See this region as it is today")
        if name
        else _("See the regions as they are today"),
        "as_of_heading": _("Claims in %(region)s as they stood at the end of %(day)s")
        % {**day, "region": name}
        if name
        else _("Claims by region as they stood at the end of %(day)s") % day,
    }


def _map(context: dict) -> None:
    """The tiles, the table and the key, from the claims the filters chose."""
    shown, unplaced = counted(context["claims"], context["query"])
    tiles = [r for r in shown if r.column is not None]
    labels = tile_labels({r.code: r.name for r in tiles})
    for r in tiles:
        r.label_lines = labels[r.code]
    context.update(
        counted=context["claims"],
        tiles=tiles,
        table=sorted(shown, key=lambda r: (-r.count, regions.sort_key(r.name))),
        unplaced=unplaced,
        total=sum(r.count for r in shown) + unplaced,
        width=region_grid.COLUMNS * (TILE + GAP) - GAP,
        height=region_grid.ROWS * (TILE + GAP) - GAP,
        tile=TILE,
        legend=legend(max((r.count for r in shown), default=0)),
    )


def _region(context: dict, code: str) -> None:
    """One page of the region's claims, newest first, and the commitments naming it."""
    claims = context["claims"].filter(region=code)
    paginator = Paginator(claims.order_by("-occurred_at", "-id"), EVENTS_PER_PAGE)
    number = context["chosen"].get("page") or 1
    presenters.require_page(
        paginator, number, _("There is no page %(page)d: the claims fill %(pages)d.")
    )
    page = paginator.page(number)
    read = context["read"]
    page.object_list = read.listed(page.object_list)
    context.update(
        counted=claims,
        page=page,
        covering=region_records.covering(read.commitments, code),
        back=reverse("regions") + context["query"],
    )


def _query(request, day: str = "") -> str:
    """The filters to carry to another regions page (the zone is carried by the page's links),
    after ``day``: the day and mode asked (``AsOf.query``), if any."""
    params = request.GET.copy()
    for name in ("page", "tz", past_day.PARAMETER, past_day.MODE):
        params.pop(name, None)
    parts = [part for part in (day, params.urlencode()) if part]
    return f"?{'&'.join(parts)}" if parts else ""
