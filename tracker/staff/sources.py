"""A claim's sources as a reviewer opens them: each a link, in the order they were cited."""

from __future__ import annotations

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
