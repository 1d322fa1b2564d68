"""The admin's region choices: a searchable list of regions, named in the staff user's language.

A claim names one region and a commitment any number; both are chosen from
``tracker.regions``' list, grouped by country, each shown by its name in the
language the admin is in and its code ("Сумська область (UA-59)"). The lists
are made searchable by the admin's own Select2 (``region-select.js``); without
scripts they are ordinary lists. Whatever is posted is checked by the one
rule in ``tracker.regions``, so an unknown code gets the same message here as
in an import or the write API.
"""

from __future__ import annotations

from django import forms
from django.conf import settings

from tracker import regions


def _choices():
    return [("", "---------"), *regions.choices()]


class RegionSelectMedia:
    @property
    def media(self):
        extra = "" if settings.DEBUG else ".min"
        return forms.Media(
            js=[
                f"admin/js/vendor/jquery/jquery{extra}.js",
                f"admin/js/vendor/select2/select2.full{extra}.js",
                "admin/js/jquery.init.js",
                "tracker/admin/region-select.js",
            ],
            css={
                "screen": [
                    f"admin/css/vendor/select2/select2{extra}.css",
                    "admin/css/autocomplete.css",
                ]
            },
        )


class RegionSelect(RegionSelectMedia, forms.Select):
    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "region-select", **(attrs or {})})


class RegionSelectMultiple(RegionSelectMedia, forms.SelectMultiple):
    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "region-select", **(attrs or {})})


class RegionField(forms.ChoiceField):
    """One region code, or none."""

    widget = RegionSelect

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        super().__init__(choices=_choices, required=False, **kwargs)

    def validate(self, value):
        regions.validate_region_code(value)


class RegionsField(forms.MultipleChoiceField):
    """Any number of region codes, each once."""

    widget = RegionSelectMultiple

    def __init__(self, **kwargs):
        for name in ("encoder", "decoder", "max_length", "empty_value"):
            kwargs.pop(name, None)
        super().__init__(choices=regions.choices, required=False, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, str):
            return regions.parse_list(value)
        return [str(v) for v in value]

    def validate(self, value):
        regions.validate_region_codes(value)


class RegionFormFields:
    """For a ModelAdmin: a claim's ``region`` and a commitment's ``regions`` as region choices."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "region":
            return RegionField(label=db_field.verbose_name.capitalize(), help_text=HELP_ONE)
        if db_field.name == "regions":
            return RegionsField(label=db_field.verbose_name.capitalize(), help_text=HELP_MANY)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


HELP_ONE = "Type a name or a code to find the region, e.g. Sumy or UA-59."
HELP_MANY = "The regions it covers; type a name or a code to find each, e.g. Kursk or RU-KRS."
