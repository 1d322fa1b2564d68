"""The reader's clock: the zone the public pages say times in.

A reader picks a zone with ``?tz=`` (UTC, Kyiv, Moscow from the picker at
the top of every page, a plain GET form; any IANA name by hand), and every
internal link and form on the page carries it on, so it stays chosen without
a cookie: public pages set none, or shared caches could not keep them.
``static/tracker/zone.js`` also remembers it in the browser, for the next
visit to a bare address. Pages work without it.

A name that is not a zone is said on the page, which is then shown in UTC:
the zone is a preference about how to show the page, not what the page is
about, so the page is still worth giving (status 200), and an old bookmark
with a mistyped zone still opens.

Feeds, calendars, CSV files and the API ignore the zone: they stay in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

from django.utils.translation import gettext as _

from tracker import clock

PARAMETER = "tz"
DEFAULT_ZONE = "UTC"
# The zones most readers of these commitments live by; any other comes by name.
PICKER_ZONES = ["UTC", "Europe/Kyiv", "Europe/Moscow"]
# How much of a refused value the page repeats back.
ECHOED_CHARACTERS = 40


@dataclass(frozen=True)
class ReaderZone:
    """The zone a request asked for: its canonical IANA name, or UTC and what was refused."""

    name: str = DEFAULT_ZONE
    refused: str | None = None

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_ZONE

    @property
    def label(self) -> str:
        return clock.zone_label(self.name)

    @property
    def description(self) -> str:
        """The zone as the picker offers it: "Kyiv", "UTC"; one without a name of ours by its
        IANA name, "Asia/Tokyo", which says more than its city."""
        if self.name in clock.ZONE_WORDS:
            return self.label
        return self.name

    @property
    def time_words(self) -> str:
        """The reader's clock as times are said on it: "Kyiv time", "за київським часом"."""
        return clock.zone_time(self.name)

    @cached_property
    def query(self) -> str:
        """``tz=…`` for links that carry the zone on; empty for the default, which needs none."""
        return "" if self.is_default else f"{PARAMETER}={quote(self.name, safe='')}"

    @property
    def choices(self) -> list[tuple[str, str, bool]]:
        """(name, how the picker shows it, whether it is the zone shown) for every zone offered."""
        names = PICKER_ZONES if self.name in PICKER_ZONES else [*PICKER_ZONES, self.name]
        return [(name, ReaderZone(name).description, name == self.name) for name in names]

    @property
    def refusal(self) -> str:
        """What the page says when ``?tz=`` named no zone; empty when it did."""
        if self.refused is None:
            return ""
        return _(
            "“%(asked)s” is not a time zone we know, so times are shown in UTC. "
            "Pick a zone from the list, or give an IANA name such as Europe/Kyiv."
        ) % {"asked": self.refused}


def read_zone(asked: str | None) -> ReaderZone:
    """The zone ``?tz=`` asked for; none or an empty one is the default."""
    if asked is None or not asked.strip():
        return ReaderZone()
    try:
        return ReaderZone(clock.canonical_zone_name(asked))
    except clock.InvalidTimeZone:
        return ReaderZone(refused=_shortened(asked))


def _shortened(text: str) -> str:
    """A refused value fit to repeat on the page: printable, and not too long."""
    text = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text).strip()
    if len(text) > ECHOED_CHARACTERS:
        return text[:ECHOED_CHARACTERS] + "…"
    return text


def zone_of(request) -> ReaderZone:
    """The zone this request's pages are shown in, read once per request."""
    if request is None:
        return ReaderZone()
    if not hasattr(request, "_reader_zone"):
        request._reader_zone = read_zone(request.GET.get(PARAMETER))
    return request._reader_zone


def with_zone(address: str, zone: ReaderZone) -> str:
    """``address`` carrying the reader's zone on: before any #fragment, after any query."""
    if not zone.query:
        return address
    path, hash_mark, fragment = address.partition("#")
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}{zone.query}{hash_mark}{fragment}"


def reader_zone(request) -> dict:
    """Context processor: every template knows the reader's zone as ``reader_zone``."""
    return {"reader_zone": zone_of(request)}
