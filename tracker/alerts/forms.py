"""The public forms: subscribing (on the board and each commitment page) and managing."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from tracker import clock, public
from tracker.alerts import rules
from tracker.alerts.models import Scope, Subscription, Topic
from tracker.models import Category
from tracker.site.reader_zone import PICKER_ZONES, ReaderZone

# The words fit every shape: a window ends, a deliverable and a milestone fall due.
TOPIC_CHOICES = [
    (Topic.EXPIRING, _("before an end or a due date")),
    (Topic.EXPIRED, _("when an end or a due date passes")),
    (Topic.STATUS_CHANGED, _("when its status changes")),
    (Topic.VIOLATION_VERIFIED, _("when a violation is verified")),
]
TOPIC_FIELDS = {
    Topic.EXPIRING: "on_expiring",
    Topic.EXPIRED: "on_expired",
    Topic.STATUS_CHANGED: "on_status_changed",
    Topic.VIOLATION_VERIFIED: "on_violation_verified",
}

SCOPE_CHOICES = [
    (Scope.EVERYTHING, _("every commitment")),
    (Scope.COMMITMENT, _("this commitment")),
    (Scope.CATEGORY, _("one category")),
]

# The lead times a reader picks from, as the outbox stores them.
LEAD_TIME_CHOICES = [
    ("7d", _("7 days")),
    ("72h", _("3 days")),
    ("24h", _("24 hours")),
    ("1h", _("1 hour")),
]
DEFAULT_LEAD_TIMES = [t for t in rules.DEFAULT_LEAD_TIMES.replace(" ", "").split(",")]

# The zones offered besides the reader's own: those of the parties and readers we serve most.
ZONES_OFFERED = [*PICKER_ZONES, "Europe/Istanbul", "America/New_York", "Asia/Dubai"]


def lead_times_text(chosen: list[str]) -> str:
    """The chosen lead times as the subscription stores them, longest first."""
    return ", ".join(rules.format_lead_time(t) for t in rules.parse_lead_times(", ".join(chosen)))


def stored_lead_times(subscription: Subscription) -> list[str]:
    """A subscription's lead times in the spelling of the choices ("72h", not "3d")."""
    try:
        leads = subscription.lead_time_list()
    except rules.InvalidLeadTimes:
        return list(DEFAULT_LEAD_TIMES)
    by_length = {rules.parse_lead_times(value)[0]: value for value, _label in LEAD_TIME_CHOICES}
    return [by_length.get(lead, rules.format_lead_time(lead)) for lead in leads]


class PreferencesForm(forms.Form):
    """What to hear about and how long before: shared by the subscribe and manage forms."""

    topics = forms.MultipleChoiceField(
        label=_("Tell me"),
        choices=TOPIC_CHOICES,
        initial=[choice for choice, _label in TOPIC_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing to hear about.")},
    )
    lead_times = forms.MultipleChoiceField(
        label=_("Warn me this long before an end or a due date"),
        choices=LEAD_TIME_CHOICES,
        initial=DEFAULT_LEAD_TIMES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        topics, leads = data.get("topics") or [], data.get("lead_times")
        if Topic.EXPIRING in topics and not leads and "lead_times" not in self.errors:
            self.add_error("lead_times", _("Choose at least one lead time, or untick “before”."))
        data["lead_times_text"] = lead_times_text(leads or DEFAULT_LEAD_TIMES)
        return data

    def preferences(self) -> dict:
        """The subscription's fields as this form sets them."""
        topics = set(self.cleaned_data["topics"])
        return {
            **{field: topic in topics for topic, field in TOPIC_FIELDS.items()},
            "lead_times": self.cleaned_data["lead_times_text"],
        }


class SubscribeForm(PreferencesForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={"invalid": _("Enter a valid email address, like name@example.org.")},
    )
    scope = forms.ChoiceField(
        label=_("Alerts about"), choices=SCOPE_CHOICES, initial=Scope.EVERYTHING
    )
    commitment = forms.SlugField(required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Category.choices], required=False
    )

    field_order = ["email", "scope", "commitment", "category", "topics", "lead_times"]

    @classmethod
    def about(cls, commitment=None) -> SubscribeForm:
        """A fresh form for a page: about its commitment when it has one, else everything."""
        if commitment is None:
            return cls()
        return cls(initial={"scope": Scope.COMMITMENT, "commitment": commitment.slug})

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == Scope.COMMITMENT:
            slug = data.get("commitment")
            commitment = public.commitments().filter(slug=slug).first() if slug else None
            if commitment is None:
                self.add_error("scope", _("That commitment is not on the public site."))
            data["commitment_object"] = commitment
        if scope == Scope.CATEGORY and not data.get("category"):
            self.add_error("category", _("Choose a category."))
        return data

    def subscription(self, *, language: str, time_zone: str) -> Subscription:
        """An unsaved subscription with what the form asked for, in the page's language and zone."""
        data = self.cleaned_data
        return Subscription(
            target=data["email"],
            scope=data["scope"],
            commitment=data.get("commitment_object") if data["scope"] == Scope.COMMITMENT else None,
            category=data["category"] if data["scope"] == Scope.CATEGORY else "",
            language=language,
            time_zone=time_zone,
            **self.preferences(),
        )


def language_choices() -> list[tuple[str, str]]:
    """Each language the site is written in, by its own name: "Українська"."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


def zone_choices(current: str) -> list[tuple[str, str]]:
    names = ZONES_OFFERED if current in ZONES_OFFERED else [*ZONES_OFFERED, current]
    return [(name, ReaderZone(name).description) for name in names]


class ManageForm(PreferencesForm):
    """A subscriber's own choices, from the link in every alert."""

    language = forms.ChoiceField(label=_("Language of the alerts"))
    time_zone = forms.ChoiceField(label=_("Time zone of the alerts"))

    field_order = ["language", "time_zone", "topics", "lead_times"]

    def __init__(self, *args, subscription: Subscription, **kwargs):
        zone = subscription.alert_zone
        initial = {
            "language": subscription.alert_language,
            "time_zone": zone,
            "topics": [t for t, field in TOPIC_FIELDS.items() if getattr(subscription, field)],
            "lead_times": stored_lead_times(subscription),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["language"].choices = language_choices()
        self.fields["time_zone"].choices = zone_choices(zone)
        # Lead times staff set by hand stay on offer, so saving keeps them.
        offered = [value for value, _label in LEAD_TIME_CHOICES]
        extra = [lead for lead in initial["lead_times"] if lead not in offered]
        self.fields["lead_times"].choices = [
            *LEAD_TIME_CHOICES,
            *((lead, clock.duration_text(rules.parse_lead_times(lead)[0])) for lead in extra),
        ]

    def preferences(self) -> dict:
        return {
            **super().preferences(),
            "language": self.cleaned_data["language"],
            "time_zone": self.cleaned_data["time_zone"],
        }
