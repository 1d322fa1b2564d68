"""What the admin's history pages show: every field people care about, with readable values."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from modeltranslation.translator import NotRegistered, translator
from simple_history.models import ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

NOISE_FIELDS = ["created_at", "updated_at", "version"]


def fields_to_skip(model) -> list[str]:
    """Timestamps, and the plain column of each translated text, which repeats its English one.

    A translated text is compared language by language (``title_en``,
    ``title_uk``, ``title_ru``), so a history row shows which translation changed.
    """
    try:
        translated = list(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        translated = []
    return [*NOISE_FIELDS, *translated]


def recorded_value(record, field_name: str):
    try:
        return getattr(record, field_name)
    except ObjectDoesNotExist:
        return None


def service_field_changes(older, newer) -> list[ModelChange]:
    """Changes to the fields no form edits (status, verification, publication…)."""
    changes = []
    for field in newer.tracked_fields:
        if field.editable or field.name in NOISE_FIELDS:
            continue
        old, new = recorded_value(older, field.name), recorded_value(newer, field.name)
        if old != new:
            changes.append(ModelChange(field.name, old, new))
    return changes


class HistoryDiff(HistoricalRecordContextHelper):
    """Shows choices by their labels: "in force", not "in_force"."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not field.many_to_many:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)
