"""Making a claim's ``ComplianceEvent`` from a row's values, as its constructor makes it, sooner.

django-modeltranslation wraps every model's constructor: each keyword is
looked up among the translated texts and ``summary="…"`` also fills the
active language's column (``summary_en`` while reading in English). An
import makes one event per row, and that wrapper was the largest part of
reading one. What the constructor would do with a given set of keywords
depends only on the keywords and the language, so it is learned once for
each (a *shape*: which attributes each keyword ends up in, and what every
other attribute starts as), by calling the constructor with stand-in
values; each row then copies the shape and puts its values where the
constructor would. Defaults that are made afresh for each record (the
time it is recorded) are made afresh here too. ``tests/test_import_speed.py``
compares what both ways make.

The language is always English, whatever the importing person reads the
admin in: a claim's plain ``summary`` is its English text, as every write
through ``tracker.services`` takes it (``services.in_english``). Made in the
reader's language, ``summary="…"`` would fill ``summary_uk`` instead and
leave the English text empty, and every row would be refused as blank.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.db import router
from django.db.models.base import ModelState
from django.utils import translation

from tracker.models import ComplianceEvent

# Related records given as records (the constructor also keeps them, as Django's cache).
RELATED = ("claimant", "accused")


class _StandIn:
    """A value nobody else holds, to see where the constructor puts each keyword."""

    __slots__ = ()


@functools.cache
def _shape(keys: tuple[str, ...], language: str | None) -> tuple[dict, dict, tuple]:
    """Where each keyword goes, what the rest start as, and which start afresh each time."""
    stand_ins = {key: _StandIn() for key in keys}
    with translation.override(language):
        made = ComplianceEvent(**stand_ins)
    put: dict[str, list[str]] = {key: [] for key in keys}
    start: dict[str, Any] = {}
    owner = {id(value): key for key, value in stand_ins.items()}
    for attribute, value in made.__dict__.items():
        if attribute == "_state":
            continue
        if id(value) in owner:
            put[owner[id(value)]].append(attribute)
        else:
            start[attribute] = value
    fresh = tuple(
        (field.attname, field.get_default)
        for field in ComplianceEvent._meta.concrete_fields
        if field.attname in start and callable(field.default)
    )
    return put, start, fresh


def new_event(*, claimant, accused, **values) -> ComplianceEvent:
    """``ComplianceEvent(claimant=…, accused=…, **values)`` made in English, sooner."""
    put, start, fresh = _shape(tuple(values), settings.MODELTRANSLATION_DEFAULT_LANGUAGE)
    event = ComplianceEvent.__new__(ComplianceEvent)
    attributes = event.__dict__
    attributes.update(start)
    for attname, default in fresh:
        attributes[attname] = default()
    for key, value in values.items():
        for attribute in put[key]:
            attributes[attribute] = value
    state = ModelState()
    related = {"claimant": claimant, "accused": accused}
    for name in RELATED:
        record = related[name]
        attributes[f"{name}_id"] = None if record is None else record.pk
        if record is not None and state.db is None:
            state.db = router.db_for_write(ComplianceEvent, instance=record)
        state.fields_cache[name] = record
    attributes["_state"] = state
    return event
