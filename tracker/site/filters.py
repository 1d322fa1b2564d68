"""What readers may ask the public pages for: filters and page numbers, each checked.

A value that is not one of the choices, a party nobody knows or a page past
the last is an error that says what was wrong, never a quietly empty page.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.models import Category, EventKind, Party, Verification
from tracker.status import Status

EVENTS_PER_PAGE = 20
MAX_EVENTS_PER_PAGE = 100
MAX_CHANGES_PAGES = 20
# No list here runs to more pages than this, whatever it holds; the open data has every record.
MAX_PAGE_NUMBER = 100_000


def page_field(largest: int = MAX_PAGE_NUMBER, too_far=None) -> forms.IntegerField:
    """A page number: a whole number from 1 to ``largest``, or nothing for the first page.

    Every paged page takes its number through this, so no number is too large
    to compute the page's first row from (the database's integers end at
    2**63 - 1, and an offset beyond them is an error rather than an empty page).
    """
    return forms.IntegerField(
        min_value=1,
        max_value=largest,
        required=False,
        error_messages={
            "invalid": gettext_lazy("The page number must be a whole number."),
            "min_value": gettext_lazy("Pages are numbered from 1."),
            "max_value": too_far
            or gettext_lazy("Pages are numbered from 1 to %(limit_value)s at most."),
        },
    )


class PartySlugField(forms.SlugField):
    """A party chosen by its slug; unknown slugs are an error, not an empty list."""

    def __init__(self, *, parties: list[Party], **kwargs):
        self.parties = {party.slug: party for party in parties}
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if value not in self.parties:
            raise forms.ValidationError(
                _("There is no party called “%(slug)s”.") % {"slug": value}, code="unknown_party"
            )
        return self.parties[value]


# The query parameters each form reads: a page kept whole in the shared cache
# drops any other before its view sees the request (``tracker.http.public_cache``).
BOARD_PARAMETERS = ("status", "category", "party", "page")
EVENT_PARAMETERS = ("claimant", "kind", "verification", "page", "per_page")
REGION_PARAMETERS = (*EVENT_PARAMETERS, "commitment", "from", "to")
CHANGES_PARAMETERS = ("page",)


class BoardFilters(forms.Form):
    status = forms.ChoiceField(
        choices=Status.choices,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("“%(value)s” is not a status.")},
    )
    category = forms.ChoiceField(
        choices=Category.choices,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("“%(value)s” is not a category.")},
    )

    page = page_field()

    def __init__(self, data, *, parties: list[Party]):
        super().__init__(data)
        self.fields["party"] = PartySlugField(parties=parties)


class EventFilters(forms.Form):
    claimant = forms.SlugField(required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("any kind")), *EventKind.choices],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("“%(value)s” is not a kind of event.")},
    )
    verification = forms.ChoiceField(
        label=gettext_lazy("Verification"),
        choices=[("", gettext_lazy("any state")), *Verification.choices],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("“%(value)s” is not a verification state.")},
    )
    page = page_field()
    per_page = forms.IntegerField(
        min_value=1,
        required=False,
        error_messages={
            "invalid": gettext_lazy("The page size must be a whole number."),
            "min_value": gettext_lazy("A page holds at least one event."),
        },
    )

    def __init__(self, data, *, parties: list[Party]):
        super().__init__(data)
        self.fields["claimant"] = PartySlugField(parties=parties, label=gettext_lazy("Claimant"))

    def clean_per_page(self) -> int:
        """Huge page sizes are capped rather than refused: the reader still gets a page."""
        per_page = self.cleaned_data.get("per_page") or EVENTS_PER_PAGE
        return min(per_page, MAX_EVENTS_PER_PAGE)


class ChangesPage(forms.Form):
    page = page_field(
        MAX_CHANGES_PAGES,
        gettext_lazy(
            "Only the latest %(limit_value)s pages of changes are listed; "
            "the open data files hold the rest."
        ),
    )


class CommitmentSlugField(forms.SlugField):
    """A public commitment chosen by its slug; an unknown slug is an error, not an empty map."""

    def __init__(self, *, commitments: dict, **kwargs):
        self.commitments = commitments
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if value not in self.commitments:
            raise forms.ValidationError(
                _("There is no commitment called “%(slug)s”.") % {"slug": value},
                code="unknown_commitment",
            )
        return self.commitments[value]


class RegionFilters(EventFilters):
    """The claims the regions pages count: by commitment, claimant, kind, verification and dates."""

    def __init__(self, data, *, parties: list[Party], commitments: dict):
        super().__init__(data, parties=parties)
        self.fields["commitment"] = CommitmentSlugField(
            commitments=commitments, label=gettext_lazy("Commitment")
        )
        # "from" and "to" name the period in the address; "from" is no Python name.
        self.fields["from"] = forms.DateField(
            label=gettext_lazy("From"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={
                "invalid": gettext_lazy("Give the first day as a date, e.g. 2025-03-18.")
            },
        )
        self.fields["to"] = forms.DateField(
            label=gettext_lazy("To"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={
                "invalid": gettext_lazy("Give the last day as a date, e.g. 2025-04-17.")
            },
        )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("from"), cleaned.get("to")
        if since and until and until < since:
            raise forms.ValidationError(
                _("The period must end on or after the day it starts."), code="period"
            )
        return cleaned
