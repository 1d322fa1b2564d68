"""What ``full_clean`` and ``refuse_control_characters`` check of a new record, said once per model.

An import checks tens of thousands of claims. Django's ``full_clean`` works
out, for every record it checks, which fields to clean, which uniqueness
checks apply and which texts are translated; here that is worked out once
per model, and each record runs only the checks themselves: every field's
own ``clean`` (its conversion, choices, length and validators), the model's
``clean()``, and the uniqueness checks, in Django's order and with Django's
errors. ``tests/test_import_speed.py`` holds the two ways to the same answers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models.expressions import DatabaseDefault
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.translator import NotRegistered, translator

from tracker.models import has_control_characters
from tracker.models.validators import CONTROL_CHARACTERS
from tracker.translated import reading as translated_reading


def _read_through_descriptor(model, attname: str) -> bool:
    """Whether reading the attribute asks django-modeltranslation (the active language's text)."""
    return isinstance(model.__dict__.get(attname), TranslationFieldDescriptor)


@functools.cache
def cleaned_fields(model) -> tuple[tuple, ...]:
    """Each field ``clean_fields`` cleans: name, attname, blank, empty values, clean, translated."""
    return tuple(
        (
            field.name,
            field.attname,
            field.blank,
            field.empty_values,
            field.clean,
            _read_through_descriptor(model, field.attname),
        )
        for field in model._meta.fields
        if not field.generated
    )


@functools.cache
def text_fields(model, english_column) -> tuple[tuple[str, str, bool, bool], ...]:
    """Each text ``refuse_control_characters`` reads: name, attname, multiline, translated."""
    return tuple(
        (
            field.name,
            field.attname,
            isinstance(field, models.TextField),
            _read_through_descriptor(model, field.attname),
        )
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not english_column(field)
    )


@functools.cache
def translated_attributes(model) -> tuple[str, ...]:
    return tuple(
        field.attname
        for field in model._meta.concrete_fields
        if _read_through_descriptor(model, field.attname)
    )


def translated_texts(obj) -> dict[str, object]:
    """Each translated text of ``obj`` as reading it gives it now (in the active language).

    Read once and handed to the checks below, which would otherwise read
    each again, through django-modeltranslation, in each check.
    """
    names = translated_attributes(type(obj))
    if not names:
        return {}
    columns, texts_of = translated_reading(type(obj), names)
    attributes = obj.__dict__
    if any(column not in attributes for column in columns):  # deferred: read as Django reads it
        return {name: getattr(obj, name) for name in names}
    return dict(zip(names, texts_of(attributes), strict=True))


def _value(obj, attname: str, translated: bool, texts: dict | None = None):
    if translated:
        return getattr(obj, attname) if texts is None else texts[attname]
    try:
        return obj.__dict__[attname]
    except KeyError:  # deferred: read as Django reads it
        return getattr(obj, attname)


def control_character_errors(obj, english_column, texts=None) -> dict[str, list[str]]:
    """The texts of ``obj`` holding a control character, named as ``refuse_control_characters``
    names them."""
    errors = {}
    for name, attname, multiline, translated in text_fields(type(obj), english_column):
        value = _value(obj, attname, translated, texts)
        if isinstance(value, str) and has_control_characters(value, multiline=multiline):
            errors[name] = [CONTROL_CHARACTERS]
    return errors


@functools.cache
def translated_model(model) -> bool:
    """Whether django-modeltranslation wraps the model's ``clean_fields``."""
    try:
        translator.get_options_for_model(model)
    except NotRegistered:
        return False
    return True


@functools.cache
def only_the_key_is_unique(model) -> bool:
    """Whether the only uniqueness check is the primary key's, which a new record passes."""
    unique_checks, date_checks = model()._get_unique_checks()
    key = model._meta.pk.name
    return not date_checks and all(fields == (key,) for _model, fields in unique_checks)


def full_clean(
    obj, exclude: Iterable[str] = (), *, validate_unique: bool = True, texts=None
) -> None:
    """``obj.full_clean(exclude, validate_unique, validate_constraints=False)``, the same errors."""
    if hasattr(obj, "_mt_form_pending_clear"):  # a form's doing: left to Django
        obj.full_clean(exclude, validate_unique=validate_unique, validate_constraints=False)
        return
    exclude = set(exclude)
    errors: dict = {}
    field_errors = {}
    for name, attname, blank, empty_values, clean, translated in cleaned_fields(type(obj)):
        if name in exclude:
            continue
        raw_value = _value(obj, attname, translated, texts)
        if blank and raw_value in empty_values:
            continue
        if isinstance(raw_value, DatabaseDefault):
            continue
        try:
            cleaned = clean(raw_value, obj)
        except ValidationError as e:
            field_errors[name] = e.error_list
            continue
        if translated:
            # As clean_fields sets it, with django-modeltranslation's setting switched off.
            obj.__dict__[attname] = cleaned
        elif cleaned is not raw_value:
            setattr(obj, attname, cleaned)
    if translated_model(type(obj)):
        obj._mt_disable = False  # as django-modeltranslation's clean_fields leaves it
    if field_errors:
        errors = ValidationError(field_errors).update_error_dict(errors)
    try:
        obj.clean()
    except ValidationError as e:
        errors = e.update_error_dict(errors)
    if validate_unique and not (obj.pk is None and only_the_key_is_unique(type(obj))):
        for name in errors:
            if name != NON_FIELD_ERRORS and name not in exclude:
                exclude.add(name)
        try:
            obj.validate_unique(exclude=exclude)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
