"""The open-data page: every machine-readable output, each file column by column, and a form
that builds the address of a filtered file.

The form is one per file, with a field per filter that file takes (the same
filters, by the same names, as the API). It works without script: sent, it
comes back to this page with the address it built, checked by the same code
that serves the file, so a value the file would refuse is shown here, beside
its field, instead of in a 400 later. A small script (``data-link.js``)
builds the same address as the fields change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import filters as django_filters

from tracker import public, regions
from tracker.http import public_cache
from tracker.opendata import files, past
from tracker.opendata.api.views import ENDPOINTS, MAX_PAGE_SIZE
from tracker.opendata.tables import Table
from tracker.site import reader_zone

# What each filter is called on the form; its help text says what it takes.
LABELS = {
    "commitment": gettext_lazy("Commitment"),
    "agreement": gettext_lazy("Agreement"),
    "kind": gettext_lazy("Kind"),
    "verification": gettext_lazy("Verification"),
    "claimant": gettext_lazy("Claimant"),
    "accused": gettext_lazy("Accused"),
    "party": gettext_lazy("Party"),
    "region": gettext_lazy("Region"),
    "occurred_after": gettext_lazy("Happened from"),
    "occurred_before": gettext_lazy("Happened before"),
    "status": gettext_lazy("Status"),
    "category": gettext_lazy("Category"),
    "shape": gettext_lazy("Shape"),
    "ends_after": gettext_lazy("Ends from"),
    "ends_before": gettext_lazy("Ends before"),
    "working": gettext_lazy("Working reading"),
    "held_after": gettext_lazy("Held from"),
    "held_before": gettext_lazy("Held before"),
    "file": gettext_lazy("File"),
    "withdrawn_after": gettext_lazy("Withdrawn from"),
    "link_status": gettext_lazy("Link status"),
    "hxl": gettext_lazy("HXL hashtags"),
    "as_of": gettext_lazy("As published at the end of"),
}
SLUG_FILTERS = {"commitment", "agreement"}
# The page's own parameters beside a form's filters: which form was sent, and the reader's zone.
PAGE_PARAMETERS = {"file", reader_zone.PARAMETER}


@dataclass
class Field:
    """One field of a file's form: its parameter, how it is asked, and what was given."""

    name: str
    label: str
    help: str
    widget: str  # "text", "date", "select", "checkboxes" or "checkbox"
    options: list = field(default_factory=list)  # (value, label) or (group, [(value, label)])
    values: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def grouped(self) -> bool:
        return bool(self.options) and isinstance(self.options[0][1], list)


@dataclass
class Download:
    """A file's form and, once sent, the address it built or what was wrong."""

    table: Table
    fields: list[Field]
    link: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def described(self) -> list[tuple[str, str]]:
        return described_filters(self.table.filters)

    @property
    def was_sent(self) -> bool:
        return bool(self.link or self.errors or any(f.errors for f in self.fields))


def _extra(filter_field) -> dict:
    """A django-filter filter's help text and choices, or a form field's."""
    if hasattr(filter_field, "extra"):
        return filter_field.extra
    return {"help_text": filter_field.help_text, "choices": getattr(filter_field, "choices", None)}


def filter_help(filter_field) -> str:
    """What a filter takes, from its help text and, when there are few, its choices."""
    extra = _extra(filter_field)
    parts = [str(extra.get("help_text", ""))]
    choices = extra.get("choices")
    if choices and len(choices) <= 12:  # not the regions: too many, and the help says what they are
        values = ", ".join(value for value, _label in choices)
        parts.append(_("One of: %(values)s.") % {"values": values})
    return " ".join(p for p in parts if p)


def described_filters(filterset_class) -> list[tuple[str, str]]:
    """Each filter's name and what it takes, for the page's tables."""
    return [
        (name, filter_help(filter_field))
        for name, filter_field in filterset_class.base_filters.items()
    ]


def party_options() -> list[tuple[str, str]]:
    parties = public.parties().order_by("name").only("slug", "name")
    return [(p.slug, f"{p.name} ({p.slug})") for p in parties]


def _options(name: str, filter_field, parties: list) -> tuple[str, list]:
    if name == "region":
        return "select", regions.choices()
    if isinstance(filter_field, django_filters.ModelChoiceFilter) and name not in SLUG_FILTERS:
        return "select", parties
    if name in SLUG_FILTERS:
        return "text", []
    if isinstance(filter_field, django_filters.MultipleChoiceFilter):
        return "checkboxes", list(filter_field.extra["choices"])
    if choices := _extra(filter_field).get("choices"):
        return "select", list(choices)
    if isinstance(
        filter_field,
        django_filters.DateFilter | django_filters.IsoDateTimeFilter | forms.DateTimeField,
    ):
        return "date", []
    return "text", []


def form_fields(table: Table, given, parties: list) -> list[Field]:
    fields = []
    for name, filter_field in table.filters.base_filters.items():
        widget, options = _options(name, filter_field, parties)
        help_text = _extra(filter_field).get("help_text", "")
        fields.append(
            Field(
                name=name,
                label=str(LABELS.get(name, name)),
                help=str(help_text),
                widget=widget,
                options=options,
                values=[v for v in given.getlist(name) if v.strip()],
            )
        )
    if table.name in past.SOURCES:
        fields.append(
            Field(
                name=past.PARAMETER,
                label=str(LABELS[past.PARAMETER]),
                help=_(
                    "A past day, to have the file as it was published when that day ended "
                    "(UTC); leave it empty for today's."
                ),
                widget="date",
                values=[v for v in given.getlist(past.PARAMETER) if v.strip()],
            )
        )
    fields.append(
        Field(
            name="hxl",
            label=str(LABELS["hxl"]),
            help=_("Add the row of HXL hashtags under the header (hxl=1)."),
            widget="checkbox",
            values=["1"] if given.get("hxl") == "1" else [],
        )
    )
    return fields


def download(table: Table, request, parties: list) -> Download:
    """The form of one file; when it was sent, the address it builds, checked as the file would."""
    sent = request.GET.get("file") == table.name
    given = request.GET if sent else {}
    fields = form_fields(table, request.GET if sent else _Empty(), parties)
    chosen = Download(table, fields)
    if not sent:
        return chosen
    asked = [(f.name, value) for f in fields for value in f.values]
    known = {f.name for f in fields} | PAGE_PARAMETERS
    for name in sorted(set(given) - known):
        chosen.errors.append(
            _("“%(name)s” is not a filter of %(file)s.") % {"name": name, "file": table.filename}
        )
    params = _Params(asked)
    try:
        files.selected(table, params)
    except files.Refused as refused:
        by_name = {f.name: f for f in fields}
        for name, messages in refused.problems.items():
            if name in by_name:
                by_name[name].errors.extend(messages)
            else:
                chosen.errors.extend(messages)
        return chosen
    if not chosen.errors:
        query = urlencode(asked)
        chosen.link = reverse(table.url_name) + (f"?{query}" if query else "")
    return chosen


class _Empty(dict):
    def getlist(self, name):
        return []


class _Params:
    """Query parameters as ``QueryDict`` offers them, from (name, value) pairs."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs

    def __iter__(self):
        return iter(dict.fromkeys(name for name, _value in self.pairs))

    def __contains__(self, name):
        return any(n == name for n, _value in self.pairs)

    def getlist(self, name):
        return [value for n, value in self.pairs if n == name]

    def get(self, name, default=None):
        values = self.getlist(name)
        return values[-1] if values else default

    def lists(self):
        return [(name, self.getlist(name)) for name in self]


@public_cache
def data_index(request):
    """The page that lists every machine-readable output, documents the files and builds links."""
    parties = party_options()
    downloads = [download(table, request, parties) for table in files.TABLES.values()]
    problems = []
    asked_file = request.GET.get("file")
    if asked_file is not None and asked_file not in files.TABLES:
        problems.append(_("There is no file called “%(name)s”.") % {"name": asked_file})
    elif asked_file is None and set(request.GET) - PAGE_PARAMETERS:
        problems.append(_("Choose a file to filter."))
    failed = problems or any(d.errors or any(f.errors for f in d.fields) for d in downloads)
    endpoints = [
        (endpoint, described_filters(endpoint.view.filterset_class))
        if getattr(endpoint.view, "filterset_class", None)
        else (endpoint, [])
        for endpoint in ENDPOINTS
    ]
    return render(
        request,
        "tracker/open_data.html",
        {
            "downloads": downloads,
            "problems": problems,
            "endpoints": endpoints,
            "max_page_size": MAX_PAGE_SIZE,
        },
        status=400 if failed else 200,
    )
