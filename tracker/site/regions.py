"""The regions pages: published claims counted by region, on a tile-grid map and in a table.

``/regions/`` counts the published claims of each region (``tracker.regions``
codes) that the filters choose (commitment, claimant, kind, verification,
period), shows them as one square tile per region, laid out by the grid of
``tracker.site.region_grid`` and shaded by the count, and gives the same
numbers in a table for those who do not see the map. ``/regions/<code>/``
lists a region's published claims, newest first, a page at a time, with the
same filters. Both read only through ``tracker.public``, like every page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker import public, regions, translated
from tracker.http import public_cache
from tracker.site import drawing, region_grid
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


def _filters(request) -> RegionFilters:
    parties = list(public.parties().order_by("name"))
    listed = public.commitments().only("pk", "slug", "title", *_title_columns()).order_by("title")
    commitments = {c.slug: c for c in listed}
    return RegionFilters(request.GET, parties=parties, commitments=commitments)


def _claims(chosen: dict):
    claims = public.events()
    if chosen.get("commitment"):
        claims = claims.filter(commitment=chosen["commitment"])
    if chosen.get("claimant"):
        claims = claims.filter(claimant=chosen["claimant"])
    if chosen.get("kind"):
        claims = claims.filter(kind=chosen["kind"])
    if chosen.get("verification"):
        claims = claims.filter(verification=chosen["verification"])
    if chosen.get("from"):
        claims = claims.filter(occurred_on__gte=chosen["from"])
    if chosen.get("to"):
        claims = claims.filter(occurred_on__lte=chosen["to"])
    return claims


def _is_filtered(chosen: dict) -> bool:
    names = ("commitment", "claimant", "kind", "verification", "from", "to")
    return any(chosen.get(name) for name in names)


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


def counted(chosen: dict, query: str) -> tuple[list[Counted], int]:
    """Every region with a tile or a claim, with its count; and the claims with no region."""
    rows = dict(
        _claims(chosen).order_by().values_list("region").annotate(count=Count("pk")).order_by()
    )
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


def _query(request) -> str:
    """The filters to carry to a region's page (the zone is carried by the page's links)."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("tz", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


def _context(request, filters: RegionFilters) -> dict:
    return {
        "filters": filters,
        "claimants": filters.fields["claimant"].parties.values(),
        "commitments": filters.fields["commitment"].commitments.values(),
    }


@public_cache(parameters=REGION_PARAMETERS)
@require_safe
def regions_map(request):
    filters = _filters(request)
    context = _context(request, filters)
    if not filters.is_valid():
        context["errors"] = [m for messages in filters.errors.values() for m in messages]
        return render(request, "tracker/regions.html", context, status=400)
    chosen = filters.cleaned_data
    shown, unplaced = counted(chosen, _query(request))
    tiles = [r for r in shown if r.column is not None]
    labels = tile_labels({r.code: r.name for r in tiles})
    for r in tiles:
        r.label_lines = labels[r.code]
    table = sorted(shown, key=lambda r: (-r.count, regions.sort_key(r.name)))
    context.update(
        chosen=chosen,
        is_filtered=_is_filtered(chosen),
        tiles=tiles,
        table=table,
        unplaced=unplaced,
        total=sum(r.count for r in shown) + unplaced,
        width=region_grid.COLUMNS * (TILE + GAP) - GAP,
        height=region_grid.ROWS * (TILE + GAP) - GAP,
        tile=TILE,
        legend=legend(max((r.count for r in shown), default=0)),
    )
    return render(request, "tracker/regions.html", context)


@public_cache(parameters=REGION_PARAMETERS)
@require_safe
def region_detail(request, code):
    region = regions.get(code)
    if region is None:
        raise Http404(_("There is no region with the code “%(code)s”.") % {"code": code})
    filters = _filters(request)
    context = {**_context(request, filters), "region": region, "name": region.name()}
    if not filters.is_valid():
        context["errors"] = [m for messages in filters.errors.values() for m in messages]
        return render(request, "tracker/region.html", context, status=400)
    chosen = filters.cleaned_data
    claims = (
        _claims(chosen)
        .filter(region=code)
        .select_related("commitment", "claimant", "accused")
        .order_by("-occurred_at", "-pk")
    )
    paginator = Paginator(claims, EVENTS_PER_PAGE, allow_empty_first_page=True)
    number = chosen.get("page") or 1
    if number > paginator.num_pages:
        context["errors"] = [
            _("There is no page %(page)d: the claims fill %(pages)d.")
            % {"page": number, "pages": paginator.num_pages}
        ]
        return render(request, "tracker/region.html", context, status=400)
    covering = [
        commitment
        for commitment in public.commitments()
        .exclude(regions=[])
        .only("pk", "slug", "title", "regions", *_title_columns())
        .order_by("title")
        if code in commitment.regions
    ]
    context.update(
        chosen=chosen,
        is_filtered=_is_filtered(chosen),
        page=paginator.page(number),
        covering=covering,
        back=reverse("regions") + _query(request),
    )
    return render(request, "tracker/region.html", context)


def _title_columns() -> list[str]:
    return [f"title_{language}" for language in translated.LANGUAGES]
