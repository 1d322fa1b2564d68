"""The admin's forms refuse bad input in the words the import and the staff API use.

Django's forms have words of their own for some refusals ("This field is
required.", "Null characters are not allowed.", "Select a valid choice.");
the tracker's doors share theirs (``tracker.models.validators``). Each form
that writes a record calls ``speak_as_every_door`` once it has its fields.
"""

from __future__ import annotations

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from tracker.models.validators import REASON_NEEDED, no_such, refuse_control_characters_in


class NoControlCharacters:
    """Refuses a text holding control characters; a long text may break lines and indent."""

    def __init__(self, *, multiline: bool):
        self.multiline = multiline

    def __call__(self, value) -> None:
        refuse_control_characters_in(value, multiline=self.multiline)


def speak_as_every_door(form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        if name == "reason":
            field.error_messages["required"] = REASON_NEEDED
        if isinstance(field, forms.CharField):
            multiline = isinstance(field.widget, forms.Textarea)
            field.validators = [
                validator
                for validator in field.validators
                if not isinstance(validator, ProhibitNullCharactersValidator)
            ] + [NoControlCharacters(multiline=multiline)]
        if isinstance(field, forms.ModelChoiceField):
            kind = field.queryset.model._meta.verbose_name
            field.error_messages["invalid_choice"] = no_such(kind, "%(value)s")
