"""What the open-data files' column descriptions share: choices, roles, translations, sources.

The files themselves are described in ``commitment_files`` (commitments and
readings), ``event_files`` (compliance events) and ``reference_files``
(agreements, parties, sources and withdrawals); ``files`` lists them all and
serves each at its address.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tracker import regions, translated
from tracker.opendata.records import parties_in_role
from tracker.opendata.tables import Column, joined


def values_of(choices) -> list[str]:
    return list(choices.values)


def one_of(choices) -> str:
    return format_lazy("{} {}.", _("One of:"), ", ".join(choices.values))


def region_codes() -> list[str]:
    return list(regions.regions())


LANGUAGE_NAMES = dict(settings.LANGUAGES)


def slugs(parties) -> str:
    return joined(p.slug for p in parties)


# Columns -------------------------------------------------------------------------------


def _role_column(name: str, role: str, description: str) -> Column:
    return Column(
        name,
        description,
        lambda c: slugs(parties_in_role(c, role)),
        type="list",
        hxl=f"#actor+{role}+code",
    )


def translation_columns(*texts: tuple[str, str], records: bool = False) -> tuple[Column, ...]:
    """Each text's translations, after the columns every file already had.

    The column named after a text keeps the English text, as it always did;
    ``title_uk`` and ``title_ru`` give the translations, empty while there is
    none. ``texts`` are (name, HXL hashtag) pairs; each translation's tag
    says its language as HXL does (``+i_uk``).
    """
    columns = []
    for name, hxl in texts:
        for language in translated.TRANSLATIONS:
            column = f"{name}_{language}"
            description = format_lazy(
                _("“{column}” in {language}; empty while not yet translated."),
                column=name,
                language=LANGUAGE_NAMES[language],
            )
            tag = f"{hxl}+i_{language}"
            if records:
                columns.append(
                    Column(column, description, lambda r, c=column: getattr(r, c), hxl=tag)
                )
            else:
                columns.append(Column(column, description, field=column, hxl=tag))
    return tuple(columns)


def english(hxl: str) -> str:
    return f"{hxl}+i_en"


def source_urls_column(**where) -> Column:
    return Column(
        "source_urls",
        _("Sources, separated by “; ”."),
        type="list",
        hxl="#meta+source+url",
        **where,
    )
