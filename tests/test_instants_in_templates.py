"""No template or reader-facing module writes a date or a time by itself.

Every instant is written by ``tracker.clock.instant_text`` (in templates: the
``when`` and ``moment`` tags, and ``machine_time`` for attributes), which
knows its precision and the zone its source meant. A template that formats a
datetime with Django's ``|date`` or ``|time`` filters loses both: a day given
on a Moscow clock becomes the evening before in UTC, and ``|date:'c'`` writes
machine times HTML does not accept. These tests look at the sources.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((BASE_DIR / "templates").rglob("*.*"))

FORMATS_BY_ITSELF = re.compile(
    r"\|\s*(?:date|time|timesince|timeuntil|naturaltime|naturalday|localtime|utc)\b"
    r"|\{%\s*(?:now|localtime|timezone)\b"
)
# A datetime attribute written from a variable instead of by the machine_time/moment tags.
HAND_MADE_MACHINE_TIME = re.compile(r"""datetime=["']\{\{""")

# Python modules that write for readers: pages, cards, feeds, alerts, the changelog.
READER_MODULES = [
    *sorted((BASE_DIR / "tracker" / "site").glob("*.py")),
    BASE_DIR / "tracker" / "opendata" / "feeds.py",
    BASE_DIR / "tracker" / "alerts" / "messages.py",
    BASE_DIR / "tracker" / "changelog.py",
    BASE_DIR / "tracker" / "changelog_groups.py",
    BASE_DIR / "tracker" / "templatetags" / "tracker_tags.py",
]
# strftime, an f-string or % format with a date pattern, or Django's own date formatting.
PYTHON_FORMATS_BY_ITSELF = re.compile(
    r"strftime\(|:%[YmdHMbBd]|%[YH][-:]%|date_format\(|\.isoformat\(\) \+ \" UTC"
)
# Where a module may format on its own: the timeline's axis labels (a month and a
# day, not an instant), and values for machines: the date field of a form, and the
# database's grouping of claims by month.
ALLOWED = {
    "tracker/site/timelines.py": {"date_format("},
    "tracker/site/filters.py": {"%Y-%"},
    "tracker/site/party_page.py": {"strftime(", "%Y-%"},
}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_no_template_formats_a_date_or_time_by_itself(path):
    source = path.read_text(encoding="utf-8")

    found = FORMATS_BY_ITSELF.findall(source) + HAND_MADE_MACHINE_TIME.findall(source)

    assert not found, (
        f"{path.relative_to(BASE_DIR)} formats instants itself ({found}): use "
        "{% when %} for words, {% moment %} for a <time> element, "
        "{% machine_time %} for an attribute, |iso_day for a form's date"
    )


@pytest.mark.parametrize("path", READER_MODULES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_no_module_that_writes_for_readers_formats_an_instant_by_itself(path):
    relative = str(path.relative_to(BASE_DIR))
    source = path.read_text(encoding="utf-8")

    found = set(PYTHON_FORMATS_BY_ITSELF.findall(source)) - ALLOWED.get(relative, set())

    assert not found, f"{relative} formats instants itself ({found}): use tracker.clock"


def test_the_check_finds_what_it_looks_for():
    assert FORMATS_BY_ITSELF.search("{{ change.effective_at|date:'c' }}")
    assert FORMATS_BY_ITSELF.search("{{ held_on | date }}")
    assert FORMATS_BY_ITSELF.search("{% now 'Y' %}")
    assert HAND_MADE_MACHINE_TIME.search('<time datetime="{{ at }}">')
    assert not FORMATS_BY_ITSELF.search("{% moment change.effective_at change.precision %}")
    assert PYTHON_FORMATS_BY_ITSELF.search('f"{event.occurred_at:%Y-%m-%d %H:%M} UTC"')
    assert not PYTHON_FORMATS_BY_ITSELF.search("clock.instant_text(at, precision)")
