"""Admin widgets that show a refused form again whatever was posted in it.

Django's autocomplete widgets look up the posted values as they are to show
the current choice, so a value that is no id at all (" ", "x", a number
beyond the column's range) made the page fail instead of showing the form
with its error. Here such values are simply not looked up: the field's own
validation still refuses them, with its message.
"""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class OnlyLookUpValidIds:
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field.model._meta
        target = remote.get_field(getattr(self.field.remote_field, "field_name", remote.pk.name))
        return super().optgroups(name, [v for v in value if _is_valid(target, v)], attr)


def _is_valid(field, value) -> bool:
    try:
        field.clean(value, None)
    except (ValidationError, TypeError, ValueError, OverflowError):
        return False
    return True


class ForgivingAutocompleteSelect(OnlyLookUpValidIds, AutocompleteSelect):
    pass


class ForgivingAutocompleteSelectMultiple(OnlyLookUpValidIds, AutocompleteSelectMultiple):
    pass


class ForgivingAutocompleteFields:
    """For a ModelAdmin or an inline: its autocomplete fields use the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        _forgive(formfield, AutocompleteSelect, ForgivingAutocompleteSelect)
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        _forgive(formfield, AutocompleteSelectMultiple, ForgivingAutocompleteSelectMultiple)
        return formfield


def _forgive(formfield, original: type, forgiving: type) -> None:
    """Swap the widget's class, keeping it wrapped as the admin wrapped it."""
    if formfield is None:
        return
    widget = getattr(formfield.widget, "widget", formfield.widget)
    if type(widget) is original:
        widget.__class__ = forgiving
