"""Which texts of the record are kept in English, Ukrainian and Russian, and their history.

django-modeltranslation adds a column per language beside each text listed
here: ``title`` gets ``title_en``, ``title_uk`` and ``title_ru``. Reading
``commitment.title`` gives the text in the active language, or the English
one while that language has none (``MODELTRANSLATION_FALLBACK_LANGUAGES``);
``tracker.translated`` says which, so pages can mark the English stand-in.
The plain ``title`` column keeps the English text, because every write goes
through ``tracker.services`` in English (``services.in_english``).

A status change's reason is kept in three languages too; the status log
keeps no history of its own, being one.

Not translated, on purpose: slugs (addresses stay the same in every
language), a reading's ``wording`` (a quotation, labelled with the language
it is in), publishers' names, and internal notes (staff only, never public).

History is registered here rather than with ``HistoricalRecords()`` on the
models: the history library copies a model's fields when it builds the
history model, so it must run after the translation columns exist, or the
history tables would silently lack them and a translation edit would leave
no trace of what it changed.
"""

from __future__ import annotations

import simple_history
from django.db import models
from modeltranslation.fields import TranslationField
from modeltranslation.translator import TranslationOptions, translator
from simple_history.models import HistoricalRecords

from tracker.models import (
    Agreement,
    Commitment,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Reading,
    Source,
    StatusChange,
)


class PartyTexts(TranslationOptions):
    fields = ("name", "short_name")
    # Names are unique: an untranslated name is stored as NULL, never as a
    # second empty name.
    empty_values = {"name": None}


class SourceTexts(TranslationOptions):
    fields = ("title",)


class AgreementTexts(TranslationOptions):
    fields = ("title", "venue", "summary")


class CommitmentTexts(TranslationOptions):
    fields = ("title", "terms", "conditions", "promised_unit")


class ReadingTexts(TranslationOptions):
    fields = ("label", "scope")


class EventTexts(TranslationOptions):
    # The region is a code (tracker.regions), named in each language from the standard.
    fields = ("summary", "location")


class StatusChangeTexts(TranslationOptions):
    # The reason a person gave; the tracker's own reasons are said by tracker.words.
    fields = ("reason",)


class QuantityTexts(TranslationOptions):
    fields = ("unit",)
    # The English unit defaults to "people"; a translation is given or left empty.
    field_options = {"unit": {"uk": {"default": None}, "ru": {"default": None}}}


TRANSLATED = {
    Party: PartyTexts,
    Source: SourceTexts,
    Agreement: AgreementTexts,
    Commitment: CommitmentTexts,
    Reading: ReadingTexts,
    ComplianceEvent: EventTexts,
    DeliveredQuantity: QuantityTexts,
}

# Texts of records that keep no history of their own: the status log is itself a history.
TRANSLATED_WITHOUT_HISTORY = {
    StatusChange: StatusChangeTexts,
}

# Every model with texts in three languages, whether or not it keeps a history.
EVERY_TRANSLATED = {**TRANSLATED, **TRANSLATED_WITHOUT_HISTORY}

for model, options in EVERY_TRANSLATED.items():
    translator.register(model, options)


class TranslatedHistoricalRecords(HistoricalRecords):
    """History whose tables keep each translation in a plain column of its own.

    A translation column describes itself as the field it translates, so a
    copy of ``name_uk`` would claim the original's uniqueness; a history
    table holds many versions of the same name. Each one is rebuilt here as
    an ordinary, nullable, indexed-if-unique column.
    """

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            if isinstance(field, TranslationField):
                fields[name] = plain_history_column(field)
        return fields


def plain_history_column(field: TranslationField) -> models.Field:
    _name, _path, args, kwargs = field.translated_field.deconstruct()
    indexed = kwargs.pop("unique", False) or kwargs.pop("db_index", False)
    # Every history row is written with all its values; no column needs a default.
    kwargs.pop("default", None)
    kwargs.update(null=True, blank=True, verbose_name=field.verbose_name)
    if indexed:
        kwargs["db_index"] = True
    return type(field.translated_field)(*args, **kwargs)


HISTORY_M2M_FIELDS = {
    Agreement: ["parties", "sources"],
    Reading: ["sources"],
    ComplianceEvent: ["sources"],
}

for model in TRANSLATED:
    simple_history.register(
        model,
        records_class=TranslatedHistoricalRecords,
        m2m_fields=HISTORY_M2M_FIELDS.get(model, []),
    )
