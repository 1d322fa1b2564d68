"""A record's text as a reader sees it: in the reader's language, or in English, marked.

The records keep their texts in English, Ukrainian and Russian
(``tracker.translation``). A page in Ukrainian shows ``title_uk``; while a
record has no Ukrainian title yet, it shows the English one instead, and
says so, so that nobody takes it for a translation that was never made.
``text()`` gives the text with the language it is in, for a record, a
history row or a row of values alike; the pages mark the English stand-in
with ``{{ record|text:"title" }}`` or ``{{ value|marked }}``
(``tracker.templatetags.tracker_tags``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from django.conf import settings
from modeltranslation.utils import get_language

ENGLISH = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
LANGUAGES = tuple(settings.MODELTRANSLATION_LANGUAGES)
TRANSLATIONS = tuple(language for language in LANGUAGES if language != ENGLISH)


class Text(str):
    """A text, the language it is written in, and whether it stands in for the one asked for."""

    language: str
    is_fallback: bool

    def __new__(cls, value: str, language: str, is_fallback: bool = False):
        text = super().__new__(cls, value)
        text.language = language
        text.is_fallback = is_fallback
        return text


def _read(record, name: str):
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


def text(record, field: str, language: str | None = None) -> Text:
    """``record``'s ``field`` in ``language`` (the active one by default), or else in English.

    ``record`` may be a model instance, a history row or a dict of values
    holding ``<field>_en``, ``<field>_uk``… An empty text is no text: it is
    never marked, since there is nothing a translation would replace.
    """
    language = language or get_language()
    for candidate in dict.fromkeys((language, ENGLISH)):
        value = _read(record, f"{field}_{candidate}")
        if value:
            return Text(value, candidate, candidate != language)
    # A record read before its translations existed keeps its text in the plain column.
    value = _read(record, field)
    if value:
        return Text(value, ENGLISH, language != ENGLISH)
    return Text("", language)


def columns(*fields: str) -> list[str]:
    """The column of each field in every language: ``title_en``, ``title_uk``, ``title_ru``…"""
    return [f"{field}_{language}" for field in fields for language in LANGUAGES]


def reading(model, names: tuple[str, ...]):
    """How to read these translated texts of ``model`` from rows of their language columns.

    Returns the columns to select (each text's own language first, then its
    fallbacks, as django-modeltranslation orders them for the active
    language) and a function giving, from a row of those columns by name,
    each text as reading it from a record gives it: the first meaningful
    value, else the fallback value or the field's default, by the
    descriptor's own rule (``meaningful_value``). Many rows are then read
    from plain columns, the active language looked up once for all of them
    rather than twice a text a row; ``tests/test_import_speed.py`` compares
    both ways.
    """
    from modeltranslation.thread_context import fallbacks_enabled

    return _reading(model, tuple(names), get_language(), fallbacks_enabled())


@functools.cache
def _reading(model, names: tuple[str, ...], language: str, fallbacks: bool):
    from modeltranslation.fields import NONE
    from modeltranslation.utils import build_localized_fieldname, resolution_order

    plans = []
    for name in names:
        descriptor = model.__dict__[name]
        order = resolution_order(language, descriptor.fallback_languages)
        plan_columns = tuple(build_localized_fieldname(name, lang) for lang in order)
        default = descriptor.field.get_default()
        undefined = descriptor.fallback_undefined
        if undefined is NONE:
            undefined = default
        if fallbacks and descriptor.fallback_value is not NONE:
            otherwise = descriptor.fallback_value
        else:
            otherwise = default
        plans.append((plan_columns, undefined, descriptor.meaningful_value, otherwise))
    selected = list(dict.fromkeys(column for plan in plans for column in plan[0]))

    def texts(row: Mapping) -> tuple:
        found = []
        for plan_columns, undefined, meaningful, otherwise in plans:
            for column in plan_columns:
                value = row[column]
                if meaningful(value, undefined):
                    found.append(value)
                    break
            else:
                found.append(otherwise)
        return tuple(found)

    return selected, texts
