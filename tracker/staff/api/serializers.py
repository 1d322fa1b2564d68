"""What staff tools send and get back: claims (compliance events) and sources, as staff see them.

Related records are named as on the public API (commitments and parties by
slug) but unpublished ones may be named too: staff record against them.
Every write carries a ``reason``, kept in the history beside the token's
user. A field the endpoint does not take is refused by name, never ignored,
and so is a field that only its own endpoint changes (verification,
publication); the schema says so (``additionalProperties: false``). Texts
are read by ``texts``, which states each rule in the schema too. Texts are
read and written in English under their plain names (``summary``), and their
translations under their own (``summary_uk``, ``summary_ru``), null while
there is none. The services validate again, and have the last word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import models
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker import regions
from tracker.clock import Precision
from tracker.models import (
    Commitment,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Source,
    Verification,
)
from tracker.models.validators import REASON_NEEDED, no_such
from tracker.services.versions import pending_revision
from tracker.staff.api.texts import INSTANT_BOUNDS, Address, LongText, Text
from tracker.translated import TRANSLATIONS


def reason_field() -> serializers.CharField:
    return LongText(
        write_only=True,
        max_length=2000,
        error_messages={"required": REASON_NEEDED, "blank": REASON_NEEDED},
        help_text="Why this change is made; kept in the history beside your name, "
        "e.g. “Kremlin readout of 18 March”. Required, and not blank.",
    )


def translations(*texts: str) -> list[str]:
    """The columns of each text's translations: ``summary_uk``, ``summary_ru``…"""
    return [f"{text}_{language}" for text in texts for language in TRANSLATIONS]


class Strict:
    """Refuses every field it does not write, saying which it does."""

    # {field: why it is not written here}, for read-only fields people try to send.
    written_elsewhere: dict[str, str] = {}
    # Texts as the staff API reads them: strings only, no control characters (``texts``).
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: Text,
        models.TextField: LongText,
        models.URLField: Address,
    }

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        writable = sorted(name for name, field in self.fields.items() if not field.read_only)
        errors = {
            name: [
                self.written_elsewhere.get(name)
                or f"Not a field this endpoint writes. It takes: {', '.join(writable)}."
            ]
            for name in data
            if name not in writable
        }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as invalid:
            raise serializers.ValidationError({**invalid.detail, **errors}) from invalid
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def validate(self, attrs):
        """A reason is needed for every write, an edit of one field included."""
        attrs = super().validate(attrs)
        if "reason" in self.fields and not attrs.get("reason"):
            raise serializers.ValidationError({"reason": [REASON_NEEDED]})
        # An empty translation is no translation: the English text is shown in its place.
        for name in translations("summary", "location", "title", "unit"):
            if attrs.get(name) == "":
                attrs[name] = None
        return attrs


class NamedBySlug(serializers.SlugRelatedField):
    """A record named by its slug, refused in the words of the admin and the import.

    A slug with characters no slug has is simply not found; an empty one is
    refused rather than read as none.
    """

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)
        self.error_messages["blank"] = f"Give the slug of a {kind}."

    def run_validation(self, data=serializers.empty):
        if data == "":
            self.fail("blank")
        return super().run_validation(data)

    def fail(self, key, **kwargs):
        if key == "does_not_exist":
            raise serializers.ValidationError(no_such(self.kind, kwargs["value"]), code=key)
        super().fail(key, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.isprintable():
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class NamedById(serializers.PrimaryKeyRelatedField):
    """A record named by its identifier, refused in the same words as one named by its slug."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def fail(self, key, **kwargs):
        if key == "does_not_exist":
            raise serializers.ValidationError(no_such(self.kind, kwargs["pk_value"]), code=key)
        super().fail(key, **kwargs)


class InstantField(serializers.DateTimeField):
    """An ISO 8601 instant; without an offset it is UTC.

    The offset given is kept until the record is saved, so the time of day
    can be read as the source gave it (``tracker.staff.precision``).
    """

    def __init__(self, **kwargs):
        kwargs["help_text"] = f"{kwargs.get('help_text') or ''} {INSTANT_BOUNDS}".strip()
        super().__init__(**kwargs)

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_aware(value):
            try:
                value.astimezone(dt.UTC)
            except OverflowError:
                self.fail("overflow")
            return value
        return super().enforce_timezone(value)


class PendingRevisionSerializer(serializers.Serializer):
    """Changes to a public record waiting for a reviewer: what they change, by whom, why."""

    id = serializers.IntegerField()
    proposed_by = serializers.CharField(allow_null=True, source="proposed_by.username")
    proposed_at = serializers.DateTimeField()
    reason = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.DictField(),
        help_text="Each changed field (a translation under its own name, e.g. summary_en), "
        "with the value the public sees (from) and the proposed one (to).",
    )


@extend_schema_field(PendingRevisionSerializer(allow_null=True))
class WaitingChanges(serializers.Field):
    """The record's changes waiting for a reviewer, or null."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="*")
        kwargs.setdefault(
            "help_text",
            "Changes to this public record that wait for a reviewer before the public sees "
            "them; null when none wait.",
        )
        super().__init__(**kwargs)

    def to_representation(self, record):
        revision = pending_revision(record)
        return None if revision is None else PendingRevisionSerializer(revision).data


class StaffSourceSerializer(Strict, serializers.ModelSerializer):
    written_elsewhere = {"pending_revision": "Read only: what waits for a reviewer."}

    reason = reason_field()
    pending_revision = WaitingChanges()

    class Meta:
        model = Source
        fields = ["id", "url", "title", *translations("title"), "publisher", "language"]
        fields += ["published_on", "accessed_on", "pending_revision", "reason"]


class StaffQuantitySerializer(Strict, serializers.ModelSerializer):
    received_by = NamedBySlug(
        "party", queryset=Party.objects.all(), help_text="Slug of the receiving party."
    )

    class Meta:
        model = DeliveredQuantity
        fields = ["received_by", "quantity", "unit", *translations("unit")]


VERIFY_ELSEWHERE = "Reviewers set this with POST /api/staff/events/{id}/verify/."
PUBLISH_ELSEWHERE = "Reviewers set this with POST /api/staff/events/{id}/publish/."


class StaffEventSerializer(Strict, serializers.ModelSerializer):
    """A claim as staff record it: unverified and unpublished until a reviewer says otherwise."""

    written_elsewhere = {
        "verification": VERIFY_ELSEWHERE,
        "verified_at": VERIFY_ELSEWHERE,
        "is_published": PUBLISH_ELSEWHERE,
        "id": "Given by the tracker.",
        "pending_revision": "Read only: what waits for a reviewer.",
    }

    commitment = NamedBySlug(
        "commitment",
        queryset=Commitment.objects.all(),
        help_text="Slug of the commitment, published or not.",
    )
    claimant = NamedBySlug(
        "party",
        queryset=Party.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the party making the claim.",
    )
    accused = NamedBySlug(
        "party",
        queryset=Party.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the party accused.",
    )
    in_response_to = NamedById(
        "claim",
        queryset=ComplianceEvent.objects.all(),
        allow_null=True,
        required=False,
        help_text="Identifier of the event this one answers.",
    )
    occurred_at = InstantField(help_text="When it happened; UTC unless an offset is given.")
    occurred_until = InstantField(
        allow_null=True, required=False, help_text="For claims about a period: when it ended."
    )
    recorded_at = InstantField(required=False, help_text="When it was reported; now if left out.")
    precision = serializers.ChoiceField(
        choices=Precision.choices,
        required=False,
        help_text="How exactly the source gave the time. Left out: minute when a time of day "
        "is given (in the offset sent), day when it is midnight.",
    )
    sources = NamedById(
        "source",
        many=True,
        queryset=Source.objects.all(),
        required=False,
        help_text="Identifiers of saved sources (POST /api/staff/sources/ saves one).",
    )
    quantities = StaffQuantitySerializer(
        many=True, required=False, help_text="For a delivery: what each side received."
    )
    region = Text(
        max_length=10,
        allow_blank=True,
        required=False,
        validators=[regions.validate_region_code],
        enum=["", *regions.regions()],
        help_text="The region, as an ISO 3166-2 code (UA-59 Sumy, RU-KRS Kursk); empty for none.",
    )
    verification = serializers.ChoiceField(choices=Verification.choices, read_only=True)
    pending_revision = WaitingChanges()
    reason = reason_field()

    class Meta:
        model = ComplianceEvent
        fields = [
            "id",
            "commitment",
            "kind",
            "claimant",
            "accused",
            "in_response_to",
            "occurred_at",
            "occurred_until",
            "precision",
            "recorded_at",
            "location",
            "region",
            "count",
            "summary",
            *translations("summary", "location"),
            "sources",
            "quantities",
            "internal_note",
            "verification",
            "verified_at",
            "is_published",
            "pending_revision",
            "reason",
        ]
        read_only_fields = ["verified_at", "is_published"]


class StaffEventEditSerializer(StaffEventSerializer):
    """An edit of a recorded claim: any of its ordinary fields, and its sources as a whole."""

    written_elsewhere = {
        **StaffEventSerializer.written_elsewhere,
        "quantities": "Quantities are given when a delivery is recorded; correct them in the "
        "admin.",
    }
    quantities = StaffQuantitySerializer(many=True, read_only=True)


class StaffVerificationSerializer(Strict, serializers.Serializer):
    verification = serializers.ChoiceField(choices=Verification.choices)
    reason = reason_field()


class StaffPublicationSerializer(Strict, serializers.Serializer):
    published = serializers.BooleanField(
        help_text="true to publish the event, false to withdraw it from the public record."
    )
    reason = reason_field()
