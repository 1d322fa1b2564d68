"""The records the rest refer to: parties, sources and agreements."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracker.models.validators import validate_time_zone
from tracker.models.versions import version_field


class Party(models.Model):
    """A state or organisation that makes, brokers or benefits from commitments."""

    class Kind(models.TextChoices):
        STATE = "state", _("state")
        ORGANISATION = "organisation", _("organisation")

    name = models.CharField(max_length=120, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STATE)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA zone the party's announcements usually mean, e.g. Europe/Kyiv.",
    )
    version = version_field()

    # History: registered in tracker/translation.py, after the translation fields.

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("party", args=[self.slug])


class Source(models.Model):
    """A public document that a record relies on."""

    url = models.URLField(
        max_length=500, unique=True, error_messages={"blank": "Every source needs a URL."}
    )
    title = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=120, blank=True)
    language = models.CharField(max_length=10, blank=True, help_text="e.g. en, uk, ru")
    published_on = models.DateField(null=True, blank=True)
    accessed_on = models.DateField(default=dt.date.today)
    version = version_field()

    # History: registered in tracker/translation.py, after the translation fields.

    class Meta:
        ordering = ["-published_on", "publisher"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url=""),
                name="source_url_required",
                violation_error_message="Every source needs a URL.",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class Agreement(models.Model):
    """The occasion where commitments were made: a call, a round of talks, a memorandum."""

    class Kind(models.TextChoices):
        CALL = "call", _("phone call")
        TALKS = "talks", _("round of talks")
        MEMORANDUM = "memorandum", _("memorandum")
        STATEMENT = "statement", _("statement")
        OTHER = "other", _("other")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TALKS)
    held_on = models.DateField()
    venue = models.CharField(max_length=120, blank=True)
    parties = models.ManyToManyField(Party, related_name="agreements", blank=True)
    summary = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, related_name="agreements", blank=True)
    is_published = models.BooleanField(default=False, editable=False)
    internal_note = models.TextField(blank=True, help_text="Staff only; never shown publicly.")
    updated_at = models.DateTimeField(auto_now=True)
    version = version_field()

    # History (with parties and sources): registered in tracker/translation.py.

    class Meta:
        ordering = ["-held_on", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("agreement", args=[self.slug])
