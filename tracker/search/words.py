"""Reading a search, and finding its words in a text: no database here.

A search is a few words, and a record matches when each of them begins one
of its words, in any language: ``енергет`` finds ``енергетичної``, ``energ``
finds ``energy``. Nothing a reader types is syntax: quotes, stars, ``NEAR(``,
``AND``, ``:*`` or ``' OR 1=1 --`` are taken apart into the letters and
digits they hold, and only those reach the database, each quoted by the
backend as a word. The same rule cuts the records' texts into words here, for
ranking and highlighting, as the databases' own tokenizers do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_LENGTH = 200
MAX_WORDS = 10
# A word of one letter or digit finds itself only: as a beginning it would find
# nearly every record, and read most of the index to do it.
SHORTEST_BEGINNING = 2

# Letters and digits of any script; everything else, the underscore included,
# separates words (PostgreSQL's parser and SQLite's unicode61 tokenizer agree).
WORD = re.compile(r"[^\W_]+")

# How much a word found in a record counts, by where it was found.
TITLE_WEIGHT = 1.0
BODY_WEIGHT = 0.4


class QueryError(ValueError):
    """A search that cannot be run, with the reason in the reader's language."""


@dataclass(frozen=True)
class Query:
    """What was asked (cleaned, for the search box) and the words to look for."""

    text: str
    words: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.words)


def read(raw: str) -> Query:
    """The search in ``raw``: its words, lowercased, each once, in the order given.

    Refuses a search longer than ``MAX_LENGTH`` characters or of more than
    ``MAX_WORDS`` words before looking at it any further, so no input,
    however large, costs more than reading its first characters. Control
    characters are spaces.
    """
    if len(raw) > MAX_LENGTH:
        raise QueryError(
            _("A search can be at most %(limit)d characters long; this one has %(length)d.")
            % {"limit": MAX_LENGTH, "length": len(raw)}
        )
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)
    text = " ".join(text.split())
    words = tuple(dict.fromkeys(match.group().lower() for match in WORD.finditer(text)))
    if len(words) > MAX_WORDS:
        raise QueryError(
            ngettext(
                "A search can have at most %(limit)d word; this one has %(count)d.",
                "A search can have at most %(limit)d words; this one has %(count)d.",
                MAX_WORDS,
            )
            % {"limit": MAX_WORDS, "count": len(words)}
        )
    return Query(text=text, words=words)


# Finding the words in a text ---------------------------------------------------------


@lru_cache(maxsize=2**16)
def match_quality(query_word: str, word: str) -> float:
    """How closely ``query_word`` matches ``word`` (both lowercased): 1 whole, less as a prefix.

    A prefix counts for more the more of the word it covers, so ``energ``
    is closer to ``energy`` than to ``energetic``; 0 when it does not match.
    """
    if word == query_word:
        return 1.0
    if is_beginning(query_word) and word.startswith(query_word):
        return 0.5 + 0.5 * len(query_word) / len(word)
    return 0.0


def is_beginning(query_word: str) -> bool:
    """Whether ``query_word`` also finds the words it begins, or only itself."""
    return len(query_word) >= SHORTEST_BEGINNING


def words_of(text: str) -> list[str]:
    return WORD.findall(text.lower()) if text else []


def found_in(text: str, words: tuple[str, ...]) -> bool:
    """Whether any of ``words`` begins a word of ``text``."""
    return any(match_quality(q, w) for w in words_of(text) for q in words)


def closeness(words: tuple[str, ...], titles: list[str], bodies: list[str]) -> float:
    """How closely a record's texts match the search: the ranking's first key.

    Each word of the search counts for its best match in the record, a whole
    word more than a prefix, in a title (``TITLE_WEIGHT``) more than
    elsewhere (``BODY_WEIGHT``). When a title holds all the words of the
    search next to each other, in order, that counts for one more word.
    """
    in_titles = [words_of(text) for text in titles if text]
    by_weight = [
        (TITLE_WEIGHT, {word for found in in_titles for word in found}),
        (BODY_WEIGHT, {word for text in bodies if text for word in words_of(text)}),
    ]
    score = 0.0
    for query_word in words:
        score += max(
            (
                weight * (1.0 if query_word in found else _best_beginning(query_word, found))
                for weight, found in by_weight
            ),
            default=0.0,
        )
    if len(words) > 1 and any(_in_sequence(words, found) for found in in_titles):
        score += TITLE_WEIGHT
    return round(score, 6)


def coverage(words: tuple[str, ...], titles: list[str]) -> float:
    """How much of a title the search covers: the ranking's tie-breaker.

    The largest share, among the record's titles, of the title's words that
    a search word matches: the title "Sudzha" is covered whole by "sudzha",
    "Rockets hit the Sudzha gas metering station" by a sixth.
    """
    shares = []
    for text in titles:
        found = words_of(text)
        if found:
            covered = sum(1 for word in found if any(match_quality(q, word) for q in words))
            shares.append(covered / len(found))
    return round(max(shares, default=0.0), 6)


def _best_beginning(query_word: str, found: set[str]) -> float:
    return max((match_quality(query_word, word) for word in found), default=0.0)


def _in_sequence(words: tuple[str, ...], found: list[str]) -> bool:
    span = len(words)
    return any(
        all(match_quality(q, w) for q, w in zip(words, found[start : start + span], strict=True))
        for start in range(len(found) - span + 1)
    )


# Showing where they are ---------------------------------------------------------------


def highlight(text: str, words: tuple[str, ...]) -> SafeString:
    """``text`` escaped, with each word that a search word begins inside ``<mark>``.

    The text is cut into words and what lies between them, each piece is
    escaped on its own, and only then are the marks put around the matching
    words: nothing in the text can open or close a tag.
    """
    pieces, end = [], 0
    for match in WORD.finditer(text):
        pieces.append(escape(text[end : match.start()]))
        word = escape(match.group())
        if any(match_quality(q, match.group().lower()) for q in words):
            word = f"<mark>{word}</mark>"
        pieces.append(word)
        end = match.end()
    pieces.append(escape(text[end:]))
    # Every piece was escaped above.
    return mark_safe("".join(pieces))


def excerpt(text: str, words: tuple[str, ...], length: int = 30) -> str:
    """About ``length`` words of ``text`` around the first word the search matches.

    Gives the start of the text when nothing matches, and marks what was left
    out with an ellipsis.
    """
    spans = list(WORD.finditer(text))
    if len(spans) <= length:
        return text.strip()
    first = next(
        (i for i, m in enumerate(spans) if any(match_quality(q, m.group().lower()) for q in words)),
        0,
    )
    start = max(0, min(first - length // 3, len(spans) - length))
    stop = start + length
    begin = spans[start].start() if start else 0
    finish = spans[stop - 1].end() if stop < len(spans) else len(text)
    shown = text[begin:finish].strip()
    return ("… " if start else "") + shown + (" …" if stop < len(spans) else "")
