"""Slugs made from a title while staff leave them alone, and theirs once they type one.

An admin declares as usual which field a slug comes from
(``prepopulated_fields = {"slug": ["title"]}``), but ``RecordAdmin`` does not
hand that to Django's own script. That script fills the slug on a key press
or when the title loses focus, so a title pasted with the mouse fills the
slug only at the moment staff click into it to type their own, and their
typing lands after the generated text. Nor does it follow the title again
after a refused save, or once a slug was cleared.

Here the slug follows its source on every change of the source (typing,
pasting, dictation) while it is untouched: empty, or still what the source
gives. Clicking into a generated slug selects it, so typing replaces it.
Once staff type their own it stays theirs; clearing it hands it back to the
title. Without JavaScript, a slug left empty is made from the source on
save, by Django's ``slugify``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify


class SlugFromSource(forms.TextInput):
    """A slug input that follows the input ``source_id`` while untouched (``slug.js``)."""

    def __init__(self, source_id: str, attrs=None):
        super().__init__({"data-slug-from": source_id, **(attrs or {})})

    class Media:
        js = ["admin/js/urlify.js", "tracker/admin/slug.js"]


def use_slug_sources(form: forms.BaseForm, sources: dict[str, list[str]]) -> None:
    """Let each slug field of ``form`` follow its sources, and be left empty to be made."""
    for name, source_names in sources.items():
        field = form.fields.get(name)
        present = [source for source in source_names if source in form.fields]
        if field is None or not present:
            continue
        field.required = False
        field.widget = SlugFromSource(
            " ".join(form[source].auto_id for source in present),
            attrs={"maxlength": field.max_length} if getattr(field, "max_length", None) else {},
        )
        field.help_text = (
            f"Made from the {' and '.join(present)} while you leave it alone; "
            "type to choose your own."
        )


def fill_empty_slugs(form: forms.BaseForm, sources: dict[str, list[str]]) -> None:
    """Make each slug left empty from its sources, as the script would have."""
    for name, source_names in sources.items():
        if name not in form.fields or name in form.errors or form.cleaned_data.get(name):
            continue
        words = " ".join(str(form.cleaned_data.get(source) or "") for source in source_names)
        max_length = getattr(form.fields[name], "max_length", None)
        slug = slugify(words)[:max_length].strip("-") if max_length else slugify(words)
        if not slug:
            form.add_error(
                name,
                ValidationError(
                    "Type a slug: letters, numbers, hyphens or underscores.", code="required"
                ),
            )
            continue
        form.cleaned_data[name] = slug
