"""What an edit of a record is made of, and how two versions of a record differ. Reads only.

An edit of a public record waits for a reviewer as a revision
(``tracker.models.Revision``), so it must be kept apart from the record:
as plain values, the way JSON holds them. Each kind of record the public
reads is described here by a ``Revisable``:

- its **fields**: everything staff edit that the public can see, each
  translation under its own column (``summary_en``, ``summary_uk``…);
- its **staff-only** fields (internal notes), which the public never sees
  and so never wait for a reviewer;
- its **lists** of other records (a claim's sources, an agreement's parties);
- its **rows**, records that belong to it and are edited on its page (a
  commitment's party roles, a delivery's quantities), kept as a whole list;
- for a commitment, which reading is its **working reading**;
- for a claim, its **substance**: what it asserts, so that a verified claim
  whose substance changes is no longer verified.

``snapshot`` reads a record as such values, ``differences`` compares two
snapshots, ``set_fields`` puts values back on a record in memory, and
``describe`` says a value in words for the reviewer's diff. Nothing here
writes; ``tracker.services.editing`` and ``tracker.services.review`` do.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils import translation
from modeltranslation.fields import TranslationField
from modeltranslation.translator import NotRegistered, translator

from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Reading,
    Source,
)

ENGLISH = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
WORKING_READING = "working_reading"
LANGUAGE_NAMES = {"en": "English", "uk": "Ukrainian", "ru": "Russian"}

# Fields only their own service changes, whatever a form or a client sends.
KEPT_BY_SERVICES = {"is_working", "is_published", "status", "status_changed_at", "verification"}
# Kept for staff alone: never public, so never waiting for a reviewer.
STAFF_ONLY = {"internal_note"}


@dataclass(frozen=True)
class Rows:
    """Records edited as part of another one, kept as a whole list of values."""

    model: type[models.Model]
    parent: str  # the foreign key to the record they belong to
    key: tuple[str, ...]  # what tells two rows of one record apart
    fields: tuple[str, ...]  # every value a row holds, the key included


@dataclass(frozen=True)
class Revisable:
    model: type[models.Model]
    fields: tuple[str, ...]
    staff_only: tuple[str, ...]
    lists: tuple[str, ...] = ()
    rows: Mapping[str, Rows] = field(default_factory=dict)
    has_working_reading: bool = False
    substance: frozenset[str] = frozenset()

    @property
    def public_names(self) -> tuple[str, ...]:
        """Everything an edit can change that the public sees."""
        working = (WORKING_READING,) if self.has_working_reading else ()
        return (*self.fields, *self.lists, *self.rows, *working)

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.public_names, *self.staff_only)


ROLES = Rows(CommitmentParty, "commitment", ("party", "role"), ("party", "role"))
QUANTITIES = Rows(
    DeliveredQuantity,
    "event",
    ("received_by", "unit_en"),
    ("received_by", "quantity", "unit_en", "unit_uk", "unit_ru"),
)
LISTS = {Agreement: ("parties", "sources"), Reading: ("sources",), ComplianceEvent: ("sources",)}
ROWS = {Commitment: {"roles": ROLES}, ComplianceEvent: {"quantities": QUANTITIES}}
# What a claim asserts. Its translations, when it was recorded, which claim it
# answers and the staff's notes are not: changing them leaves it as checked.
CLAIM_SUBSTANCE = frozenset(
    {
        "commitment",
        "kind",
        "claimant",
        "accused",
        "occurred_at",
        "occurred_until",
        "precision",
        "location_en",
        "region",
        "count",
        "summary_en",
        "sources",
        "quantities",
    }
)
MODELS = (Agreement, Commitment, Reading, ComplianceEvent, Party, Source)


def _translated_bases(model) -> set[str]:
    try:
        return set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return set()


def _is_edited(model_field, bases: set[str]) -> bool:
    return (
        model_field.concrete
        and model_field.editable
        and not model_field.primary_key
        and not model_field.many_to_many
        and model_field.name not in bases  # the plain column repeats the English one
        and model_field.name not in KEPT_BY_SERVICES
        and not getattr(model_field, "auto_now", False)
        and not getattr(model_field, "auto_now_add", False)
    )


@functools.cache
def revisable(model) -> Revisable | None:
    """How records of ``model`` are revised, or None for records that are not."""
    if model not in MODELS:
        return None
    bases = _translated_bases(model)
    edited = [f.name for f in model._meta.get_fields() if _is_edited(f, bases)]
    return Revisable(
        model=model,
        fields=tuple(name for name in edited if name not in STAFF_ONLY),
        staff_only=tuple(name for name in edited if name in STAFF_ONLY),
        lists=LISTS.get(model, ()),
        rows=ROWS.get(model, {}),
        has_working_reading=model is Commitment,
        substance=CLAIM_SUBSTANCE if model is ComplianceEvent else frozenset(),
    )


def rows_of(model) -> dict[str, Rows]:
    return dict(ROWS.get(model, {}))


# Values --------------------------------------------------------------------------------


def plain(value):
    """A value as JSON keeps it: instants in UTC ISO 8601 to the second, days ISO, records by id.

    An instant is kept to the second, as forms show and send it: a fraction
    of a second no one typed is no change.
    """
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def field_value(record, name: str):
    return plain(record._meta.get_field(name).value_from_object(record))


def python_value(model, name: str, value):
    """The value a record's field holds, from its plain form."""
    model_field = model._meta.get_field(name)
    if value is None:
        return None
    if isinstance(model_field, models.ForeignKey):
        return model_field.target_field.to_python(plain(value))
    return model_field.to_python(value)


def _sorted_rows(rows: Iterable[dict], spec: Rows) -> list[dict]:
    def key(row):
        return json.dumps([row.get(name) for name in spec.key], default=str)

    return sorted(rows, key=key)


def _row_value(value):
    return None if value == "" else value  # an empty text in a row is no text


def row_values(row, spec: Rows) -> dict:
    return {name: _row_value(field_value(row, name)) for name in spec.fields}


def plain_rows(rows: Iterable[Mapping], spec: Rows) -> list[dict]:
    """Rows given as mappings of values (records or ids), as a revision keeps them.

    A row may give its English text under the plain name (``unit`` for ``unit_en``).
    """
    kept = []
    for row in rows:
        values = {}
        for name in spec.fields:
            plain_name = name.removesuffix(f"_{ENGLISH}")
            values[name] = _row_value(plain(row[name] if name in row else row.get(plain_name)))
        kept.append(values)
    return _sorted_rows(kept, spec)


def stored_list(record, name: str) -> list[int]:
    return sorted(getattr(record, name).values_list("pk", flat=True))


def stored_rows(record, spec: Rows) -> list[dict]:
    rows = spec.model.objects.filter(**{spec.parent: record})
    return _sorted_rows((row_values(row, spec) for row in rows), spec)


def stored_working_reading(commitment) -> int | None:
    return commitment.readings.filter(is_working=True).values_list("pk", flat=True).first()


def snapshot(record, *, lists=None, rows=None, working=...) -> dict:
    """The record's revisable values; lists, rows and the working reading as stored unless given."""
    spec = revisable(type(record))
    values = {name: field_value(record, name) for name in (*spec.fields, *spec.staff_only)}
    for name in spec.lists:
        given = (lists or {}).get(name)
        values[name] = sorted(plain(v) for v in given) if given is not None else None
        if values[name] is None:
            values[name] = stored_list(record, name) if record.pk else []
    for name, rows_spec in spec.rows.items():
        given = (rows or {}).get(name)
        if given is not None:
            values[name] = plain_rows(given, rows_spec)
        else:
            values[name] = stored_rows(record, rows_spec) if record.pk else []
    if spec.has_working_reading:
        values[WORKING_READING] = (
            stored_working_reading(record) if working is ... else plain(working)
        )
    return values


NOTHING = (None, "")


def differs(old, new) -> bool:
    """Whether two plain values differ; an empty text and no text are the same: nothing."""
    return old != new and not (old in NOTHING and new in NOTHING)


def differences(old: Mapping, new: Mapping, names: Iterable[str]) -> dict:
    """``{name: {"from": old, "to": new}}`` for each of ``names`` whose value differs."""
    return {
        name: {"from": old.get(name), "to": new.get(name)}
        for name in names
        if differs(old.get(name), new.get(name))
    }


def normalise(model, changes: Mapping) -> dict:
    """Changes as a service was given them, by their stored names, as plain values.

    A translated text's plain name means its English text (``summary`` is
    ``summary_en``), as everywhere in the services.
    """
    spec = revisable(model)
    bases = _translated_bases(model)
    kept = {}
    for name, value in changes.items():
        if name in bases:
            name = f"{name}_{ENGLISH}"
        if name in spec.lists:
            kept[name] = sorted(plain(v) for v in value)
        elif name in spec.rows:
            kept[name] = plain_rows(value, spec.rows[name])
        elif name in (*spec.fields, *spec.staff_only) or (
            name == WORKING_READING and spec.has_working_reading
        ):
            kept[name] = plain(value)
        else:
            raise KeyError(name)
    return kept


def set_fields(record, values: Mapping, names: Iterable[str] | None = None) -> None:
    """Put the plain ``values`` of ordinary fields on ``record``, in memory.

    ``names`` are the fields to set, by default every revisable field. A
    text's English column is set under its plain name too, so the plain
    column, which history and open data read, keeps the English text.
    """
    model = type(record)
    if names is None:
        spec = revisable(model)
        names = (*spec.fields, *spec.staff_only)
    bases = _translated_bases(model)
    for name in names:
        if name not in values:
            continue
        value = python_value(model, name, values[name])
        setattr(record, record._meta.get_field(name).attname, value)
        base = name.removesuffix(f"_{ENGLISH}")
        if base != name and base in bases:
            with translation.override(ENGLISH):
                setattr(record, base, value)


def row_key(values: Mapping, spec: Rows) -> tuple:
    return tuple(values.get(name) for name in spec.key)


# Words for the reviewer -----------------------------------------------------------------


def label(model, name: str) -> str:
    """A field's name for people: "summary (Ukrainian)", "sources", "working reading"."""
    if name == WORKING_READING:
        return "working reading"
    if name in ROWS.get(model, {}):
        return ROWS[model][name].model._meta.verbose_name_plural
    model_field = model._meta.get_field(name)
    if isinstance(model_field, TranslationField):
        base = model_field.translated_field.verbose_name
        return f"{base} ({LANGUAGE_NAMES.get(model_field.language, model_field.language)})"
    return str(model_field.verbose_name)


def _record_text(model, pk) -> str:
    if pk is None:
        return "—"
    found = model.objects.filter(pk=pk).first()
    return str(found) if found is not None else f"(removed: {model._meta.verbose_name} {pk})"


def describe(model, name: str, value) -> str:
    """A plain value in words: a party by name, a choice by its label, an instant in UTC."""
    if value is None or value == "" or value == []:
        return "—"
    if name == WORKING_READING:
        reading = Reading.objects.filter(pk=value).first()
        if reading is None:
            return f"(removed reading {value})"
        state = "" if reading.is_published else " (unpublished)"
        return f"“{reading.label}”{state}"
    if name in ROWS.get(model, {}):
        return "; ".join(_describe_row(ROWS[model][name], row) for row in value)
    model_field = model._meta.get_field(name)
    if model_field.many_to_many:
        target = model_field.related_model
        return "; ".join(_record_text(target, pk) for pk in value)
    if isinstance(model_field, models.ForeignKey):
        return _record_text(model_field.related_model, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.DateTimeField):
        instant = python_value(model, name, value)
        return f"{instant:%Y-%m-%d %H:%M} UTC"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _describe_row(spec: Rows, row: Mapping) -> str:
    if spec is ROLES:
        role = dict(CommitmentParty.Role.choices).get(row["role"], row["role"])
        return f"{_record_text(Party, row['party'])}: {role}"
    return f"{row['quantity']} {row['unit_en']} to {_record_text(Party, row['received_by'])}"
