"""A claim's sources as a reviewer opens them: each a link, in the order they were cited."""

from __future__ import annotations

from django import forms
from django.conf.locale import LANG_INFO
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def sources_list(record) -> SafeString:
    """The record's sources as a list of links (new tabs), or a line saying it cites none."""
    sources = list(record.sources.order_by("pk"))
    if not sources:
        return format_html("<p>{}</p>", "No sources cited.")
    return format_html(
        '<ul class="sources">{}</ul>',
        format_html_join(
            "",
            '<li><a href="{}" rel="noopener noreferrer" target="_blank">{}</a>{}</li>',
            (
                (
                    source.url,
                    source.title or source.url,
                    f" ({source.publisher})" if source.publisher else "",
                )
                for source in sources
            ),
        ),
    )


# A source's language, chosen from a list ----------------------------------------------------

# The languages the tracker's sources are mostly in, listed first.
FIRST_LANGUAGES = ("en", "uk", "ru")


def language_choices(current: str = "") -> list:
    """Every language Django names, by code ("uk — Ukrainian"), the tracker's own three first."""
    named = {
        code: info["name"]
        for code, info in LANG_INFO.items()
        if "name" in info and len(code) <= 10 and "-" not in code
    }
    first = [(code, f"{named[code]} ({code})") for code in FIRST_LANGUAGES]
    others = sorted(
        ((code, f"{name} ({code})") for code, name in named.items() if code not in FIRST_LANGUAGES),
        key=lambda choice: choice[1],
    )
    choices = [("", "---------"), ("Most sources", first), ("Every language", others)]
    if current and current not in named:
        choices.insert(1, (current, current))  # a code stored before the list, kept as it was
    return choices


class SourceLanguageField:
    """For the sources' admin: ``language`` is chosen from ``language_choices``."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "language":
            return forms.ChoiceField(
                label="Language",
                required=False,
                choices=language_choices,
                help_text="The language the source is written in.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
