"""What a person's browser would send back from an admin page: every field as the page shows it."""

from __future__ import annotations

from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.forms import CheckboxInput, MultiWidget, Select, SelectMultiple


def field_values(form) -> dict:
    """Each field of ``form`` as its widget would submit it, untouched."""
    data = {}
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget = widget.widget
        value = bound.value()
        if isinstance(widget, MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for index, (sub, part) in enumerate(zip(widget.widgets, parts, strict=False)):
                data[f"{bound.html_name}_{index}"] = sub.format_value(part) or ""
        elif isinstance(widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(widget, SelectMultiple):
            data[bound.html_name] = [str(v) for v in value or []]
        elif isinstance(widget, Select):
            chosen = widget.format_value(value)
            data[bound.html_name] = chosen[0] if chosen else ""
        else:
            formatted = widget.format_value(value)
            data[bound.html_name] = "" if formatted is None else formatted
    return data


def page_values(response) -> dict:
    """The change form and its inline formsets on an admin change page, ready to post back."""
    data = field_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= field_values(formset.management_form)
        for form in formset.forms:
            data |= field_values(form)
    return data
