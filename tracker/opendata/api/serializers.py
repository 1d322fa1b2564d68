"""How public records look in JSON.

Every serializer names its fields one by one: a field added to a model (an
internal note, a staff member) stays out of the API until someone decides it
is public. Related records are named by slug, and only while they are public.
Each translated text is given in English under its own name, with its
translations beside it (``title_uk``, ``title_ru``), whatever language the
request asked for.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from modeltranslation.translator import TranslationOptions
from rest_framework import serializers

from tracker import public, translated
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Reading,
    Source,
    StatusChange,
)
from tracker.opendata.days import given_day
from tracker.opendata.records import violation_counts
from tracker.translation import EVERY_TRANSLATED


class PageLinkField(serializers.Field):
    """The absolute address of the record's public page."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record) -> str:
        return self.context["request"].build_absolute_uri(record.get_absolute_url())


PageLink = extend_schema_field({"type": "string", "format": "uri"})(PageLinkField)


@extend_schema_field({"type": "string", "format": "date", "nullable": True})
class GivenDayField(serializers.Field):
    """The day an instant was given as, on its own clock, by the rule the pages date it with.

    ``instant``, ``precision`` and ``zone`` name the record's attributes; a
    day-precision instant is the day its source named (``tracker.opendata.days``).
    """

    def __init__(self, instant: str, precision: str, zone: str | None = None, **kwargs):
        self.names = (instant, precision, zone)
        kwargs.setdefault(
            "help_text",
            f"The day {instant.removeprefix('working_')} was given as, on its own clock: for a "
            "day-precision instant, the day its source named, which the UTC instant may put "
            "on the evening before; null without one.",
        )
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record) -> str | None:
        instant, precision, zone = self.names
        day = given_day(
            getattr(record, instant), getattr(record, precision), getattr(record, zone, None)
        )
        return day.isoformat() if day else None


def translations(*texts: str) -> list[str]:
    """The translated versions of each text: ``title_uk``, ``title_ru``…"""
    return [f"{text}_{language}" for text in texts for language in translated.TRANSLATIONS]


class TranslatedModelSerializer(serializers.ModelSerializer):
    """Gives each translated text under its own name in English, as it always was.

    Its translations are separate fields beside it (``title_uk``, ``title_ru``),
    null while not yet translated, whatever language the request asked for.
    """

    def build_field(self, field_name, info, model_class, nested_depth):
        if field_name in EVERY_TRANSLATED.get(model_class, TranslationOptions).fields:
            english = f"{field_name}_{translated.ENGLISH}"
            field_class, kwargs = super().build_field(english, info, model_class, nested_depth)
            return field_class, {**kwargs, "source": english}
        return super().build_field(field_name, info, model_class, nested_depth)


class CaptureSerializer(serializers.Serializer):
    """A copy of the source kept by the tracker, as it was served when captured."""

    sha256 = serializers.CharField(help_text="SHA-256 of the copy's bytes, in hex.")
    captured_at = serializers.DateTimeField()
    status = serializers.IntegerField(source="http_status", help_text="The HTTP status served.")
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="In bytes.")
    made_from_file = serializers.SerializerMethodField(
        help_text="True for a demonstration copy made from a file rather than fetched."
    )

    def get_made_from_file(self, capture) -> bool:
        return bool(capture.made_from)


LINK_STATUSES = ["live", "changed", "gone", "unchecked"]


class SourceSerializer(TranslatedModelSerializer):
    captures = serializers.SerializerMethodField()
    link_status = serializers.SerializerMethodField(
        help_text="Whether the address still serves the first copy's bytes (live), other "
        "bytes (changed), nothing (gone), or has not been checked since a copy was kept."
    )
    link_status_since = serializers.SerializerMethodField(
        help_text="When a check first found the address as it is now."
    )

    class Meta:
        model = Source
        fields = ["url", "title", "publisher", "language", "published_on", "accessed_on"]
        fields += translations("title")
        fields += ["captures", "link_status", "link_status_since"]

    @extend_schema_field(CaptureSerializer(many=True))
    def get_captures(self, source) -> list[dict]:
        return CaptureSerializer(public.source_evidence(source).captures, many=True).data

    @extend_schema_field({"type": "string", "enum": LINK_STATUSES})
    def get_link_status(self, source) -> str:
        return public.source_evidence(source).link_status

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_link_status_since(self, source):
        since = public.source_evidence(source).link_status_since
        return serializers.DateTimeField().to_representation(since) if since else None


class PartySerializer(TranslatedModelSerializer):
    page = PageLink()

    class Meta:
        model = Party
        fields = ["id", "slug", "name", "short_name", "kind", "time_zone", "page"]
        fields += translations("name", "short_name")


class RoleSerializer(serializers.ModelSerializer):
    party = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = CommitmentParty
        fields = ["party", "role"]


class WorkingWindowSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(source="working_starts_at", allow_null=True)
    ends_at = serializers.DateTimeField(source="working_ends_at", allow_null=True)
    due_at = serializers.DateTimeField(source="working_due_at", allow_null=True)
    # Each instant as it was given: its day, and the working reading's precision and zone.
    starts_on = GivenDayField("working_starts_at", "working_precision", "working_time_zone")
    ends_on = GivenDayField("working_ends_at", "working_precision", "working_time_zone")
    due_on = GivenDayField("working_due_at", "working_precision", "working_time_zone")
    precision = serializers.CharField(
        source="working_precision",
        allow_null=True,
        help_text="How exactly the working reading gave its instants: day, hour or minute.",
    )
    time_zone = serializers.CharField(
        source="working_time_zone",
        allow_null=True,
        help_text="IANA time zone the working reading's wording meant, e.g. Europe/Kyiv.",
    )


class ComplianceSerializer(serializers.Serializer):
    events = serializers.SerializerMethodField()
    alleged_violations = serializers.SerializerMethodField()
    verified_violations = serializers.SerializerMethodField()

    def get_events(self, commitment) -> int:
        return commitment.compliance.total

    def get_alleged_violations(self, commitment) -> int:
        return violation_counts(commitment)[0]

    def get_verified_violations(self, commitment) -> int:
        return violation_counts(commitment)[1]


class CommitmentSerializer(TranslatedModelSerializer):
    agreement = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    parties = RoleSerializer(source="roles", many=True, read_only=True)
    working_window = WorkingWindowSerializer(
        source="*", read_only=True, help_text="The window by the working reading, in UTC."
    )
    compliance = ComplianceSerializer(
        source="*", read_only=True, help_text="Counts over the published events."
    )
    renews = serializers.CharField(
        source="public_renews",
        allow_null=True,
        read_only=True,
        help_text="Slug of the earlier commitment this one renews.",
    )
    regions = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The regions it covers, as ISO 3166-2 codes, e.g. UA-59.",
    )
    status_changed_on = GivenDayField(
        "status_changed_at", "status_changed_precision", "status_changed_zone"
    )
    page = PageLink()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "slug",
            "title",
            "agreement",
            "category",
            "shape",
            "status",
            "status_changed_at",
            "status_changed_on",
            "status_changed_precision",
            "status_changed_zone",
            "parties",
            "working_window",
            "promised_quantity",
            "promised_unit",
            "regions",
            "renews",
            "compliance",
            "terms",
            "conditions",
            "page",
            *translations("title", "terms", "conditions", "promised_unit"),
        ]


class ReadingSerializer(TranslatedModelSerializer):
    commitment = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    read_by = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="Slug of the party that reads the terms this way; null when none is named.",
    )
    sources = SourceSerializer(many=True, read_only=True)
    starts_on = GivenDayField("starts_at", "precision", "time_zone")
    ends_on = GivenDayField("ends_at", "precision", "time_zone")
    due_on = GivenDayField("due_at", "precision", "time_zone")

    class Meta:
        model = Reading
        fields = [
            "id",
            "commitment",
            "label",
            "read_by",
            "is_working",
            "starts_at",
            "starts_on",
            "ends_at",
            "ends_on",
            "duration_days",
            "is_open_ended",
            "due_at",
            "due_on",
            "time_zone",
            "precision",
            "wording",
            "wording_language",
            "scope",
            "sources",
            *translations("label", "scope"),
        ]


class StatusChangeSerializer(TranslatedModelSerializer):
    """A transition as the public sees it: the actor is a role, never a person."""

    effective_on = GivenDayField("effective_at", "precision", "time_zone")

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "effective_at", "effective_on", "precision"]
        fields += ["time_zone", "reason", "is_correction", "actor", *translations("reason")]


class CommitmentDetailSerializer(CommitmentSerializer):
    readings = ReadingSerializer(source="public_readings", many=True, read_only=True)
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta(CommitmentSerializer.Meta):
        fields = [*CommitmentSerializer.Meta.fields, "readings", "status_history"]


class QuantitySerializer(TranslatedModelSerializer):
    received_by = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = DeliveredQuantity
        fields = ["received_by", "quantity", "unit", *translations("unit")]


class EventSerializer(TranslatedModelSerializer):
    commitment = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    claimant = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="Slug of the party that makes the claim; null when none is named.",
    )
    accused = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="Slug of the party accused; null when the claim accuses nobody.",
    )
    in_response_to = serializers.IntegerField(
        source="public_in_response_to",
        allow_null=True,
        read_only=True,
        help_text="Identifier of the event this one answers.",
    )
    quantities = QuantitySerializer(many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = ComplianceEvent
        fields = [
            "id",
            "commitment",
            "kind",
            "claimant",
            "accused",
            "occurred_at",
            "occurred_on",
            "occurred_until",
            "occurred_until_on",
            "precision",
            "recorded_at",
            "location",
            "region",
            "count",
            "summary",
            "verification",
            "in_response_to",
            "quantities",
            "sources",
            *translations("summary", "location"),
        ]
        extra_kwargs = {
            "occurred_on": {
                "help_text": "The day occurred_at was given as, by the precision: for a "
                "day-precision event, the day its source named, which the UTC instant may put "
                "on the evening before; for a finer one, its date in UTC."
            },
            "occurred_until_on": {"help_text": "The same for occurred_until."},
        }


class AgreementSerializer(TranslatedModelSerializer):
    parties = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    commitments = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)
    page = PageLink()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "slug",
            "title",
            "kind",
            "held_on",
            "venue",
            "parties",
            "summary",
            "commitments",
            "sources",
            "page",
            *translations("title", "venue", "summary"),
        ]
