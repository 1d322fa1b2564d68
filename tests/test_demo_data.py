"""What the demo data set says, once loaded: the real commitments of spring 2025."""

import datetime as dt
import io
import json

import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase
from django.urls import reverse

from tracker import public, services
from tracker.clock import calendar_day
from tracker.demo import loader as demo
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    EventKind,
    Party,
    Reading,
    Source,
    StatusChange,
    Verification,
)
from tracker.translation import TRANSLATED

UTC = dt.UTC
SUMMER_2025 = dt.datetime(2025, 7, 1, 12, tzinfo=UTC)

# People named in the reporting these records rely on. The tracker speaks of
# parties and offices ("Russia's foreign minister"), never of individuals.
PEOPLE = [
    "Putin",
    "Trump",
    "Zelensk",
    "Lavrov",
    "Peskov",
    "Medinsky",
    "Umerov",
    "Yermak",
    "Lytvyn",
    "Kovalenko",
    "Zhovkva",
    "Tykhyi",
    "Sybiha",
    "Fidan",
    "Rubio",
    "Witkoff",
    "Waltz",
    "Belousov",
    "Zakharova",
    "Zorin",
    "Budanov",
    "Erdogan",
    "Ushakov",
    "Kyslytsya",
    "Nebenzya",
    # As the Ukrainian and Russian texts would spell them.
    "Путін",
    "Путин",
    "Трамп",
    "Зеленськ",
    "Зеленск",
    "Лавров",
    "Пєсков",
    "Песков",
    "Мединськ",
    "Мединск",
    "Умєров",
    "Умеров",
    "Єрмак",
    "Ермак",
    "Сибіг",
    "Сибиг",
    "Фідан",
    "Фидан",
    "Ердоган",
    "Эрдоган",
    "Ушаков",
    "Захарова",
]


def commitment(slug: str) -> Commitment:
    return Commitment.objects.get(slug=slug)


def event(summary_start: str) -> ComplianceEvent:
    return ComplianceEvent.objects.get(summary__startswith=summary_start)


REFERENCE_SOURCES = [
    (
        "https://kyivindependent.com/trump-putin-call-russia-agrees-to-30-day-pause-of-energy-infrastructure-strikes/",
        lambda: Agreement.objects.get(slug="us-russia-call-2025-03-18"),
    ),
    (
        "https://www.pravda.com.ua/eng/news/2025/03/19/7503652/",
        lambda: Agreement.objects.get(slug="ukraine-position-2025-03-19"),
    ),
    (
        "https://en.interfax.com.ua/news/general/1058629.html",
        lambda: Agreement.objects.get(slug="riyadh-statements-2025-03-25"),
    ),
    (
        "https://www.themoscowtimes.com/2025/03/25/russia-demands-sanctions-relief-for-black-sea-ceasefire-a88482",
        lambda: Reading.objects.get(label="Kremlin's conditions"),
    ),
    (
        "https://www.pravda.com.ua/eng/news/2025/03/25/7504532/",
        lambda: Reading.objects.get(label="Kremlin's count"),
    ),
    (
        "https://www.themoscowtimes.com/2025/03/28/russian-army-accuses-ukraine-of-attacking-sudzha-gas-metering-station-a88520",
        lambda: event("Russia's defence ministry said Ukraine fired HIMARS"),
    ),
    (
        "https://www.pravda.com.ua/eng/news/2025/05/23/7513734/",
        lambda: event("First tranche"),
    ),
    (
        "https://www.pravda.com.ua/eng/news/2025/06/7/7516098/",
        lambda: event("Russia said it had brought a first batch of bodies"),
    ),
]


class TestTheDemoDataSet(TestCase):
    """Loaded once for the class, as it would be in the summer of 2025; each test reads it."""

    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(SUMMER_2025, tick=False):
            call_command("load_demo", stdout=io.StringIO())

    def test_loading_creates_exactly_the_records_in_the_file(self):
        assert Party.objects.count() == 6
        assert Source.objects.count() == 23
        assert Agreement.objects.count() == 6
        assert Commitment.objects.count() == 9
        assert CommitmentParty.objects.count() == 28
        assert Reading.objects.count() == 13
        assert ComplianceEvent.objects.count() == 21
        assert DeliveredQuantity.objects.count() == 13
        assert StatusChange.objects.count() == 9

    def test_parties_carry_the_zone_their_announcements_mean(self):
        zones = dict(Party.objects.values_list("name", "time_zone"))
        assert zones == {
            "Russia": "Europe/Moscow",
            "Ukraine": "Europe/Kyiv",
            "United States": "America/New_York",
            "United Arab Emirates": "Asia/Dubai",
            "Türkiye": "Europe/Istanbul",
            "Saudi Arabia": "Asia/Riyadh",
        }

    def test_the_energy_pause_keeps_both_counts_with_their_own_ends(self):
        pause = commitment("energy-strike-pause")
        kremlin = pause.readings.get(label="Kremlin's count")
        ukraine = pause.readings.get(label="Ukraine's count")

        assert kremlin.is_working and not ukraine.is_working
        assert kremlin.starts_at == dt.datetime(2025, 3, 17, 21, tzinfo=UTC)
        assert kremlin.ends_at == dt.datetime(2025, 4, 16, 21, tzinfo=UTC)
        # Thirty days in Kyiv cross the change to summer time on 30 March.
        assert ukraine.starts_at == dt.datetime(2025, 3, 24, 22, tzinfo=UTC)
        assert ukraine.ends_at == dt.datetime(2025, 4, 23, 21, tzinfo=UTC)

    def test_the_energy_pause_shows_the_kremlins_list_of_covered_facilities(self):
        kremlin = commitment("energy-strike-pause").readings.get(label="Kremlin's count")
        for facility in ["refineries", "pipelines", "substations", "nuclear", "hydroelectric dams"]:
            assert facility in kremlin.scope
        assert "energy and infrastructure" in (
            commitment("energy-strike-pause").readings.get(label="White House readout").wording
        )

    def test_the_energy_pause_was_in_force_from_18_march_and_expired_by_the_clock(self):
        pause = commitment("energy-strike-pause")
        in_force, expired = pause.status_changes.all()

        assert pause.status == "expired"
        assert (in_force.to_status, in_force.actor) == ("in_force", StatusChange.Actor.IMPORT)
        assert in_force.effective_at == dt.datetime(2025, 3, 17, 21, tzinfo=UTC)
        assert (expired.to_status, expired.actor) == ("expired", StatusChange.Actor.CLOCK)
        assert expired.effective_at == dt.datetime(2025, 4, 16, 21, tzinfo=UTC)
        assert expired.reason == services.WINDOW_ENDED
        assert expired.user is None

    def test_events_known_to_the_day_are_dated_on_the_day_their_source_meant(self):
        sudzha = event("Russia's defence ministry said Ukraine fired HIMARS")
        tranches = commitment("exchange-1000-for-1000").events.order_by("occurred_at")

        # Midnight in Moscow on 28 March is 21:00 UTC on the 27th.
        assert sudzha.occurred_at == dt.datetime(2025, 3, 27, 21, tzinfo=UTC)
        assert calendar_day(sudzha.occurred_at, sudzha.precision) == dt.date(2025, 3, 28)
        assert [calendar_day(t.occurred_at, t.precision) for t in tranches] == [
            dt.date(2025, 5, 23),
            dt.date(2025, 5, 24),
            dt.date(2025, 5, 25),
        ]

    def test_an_event_known_to_the_hour_keeps_the_zone_it_was_reported_in(self):
        night = event("Hours after the call")
        # 21:00 in Kyiv, still on winter time (UTC+2) on 18 March.
        assert night.occurred_at == dt.datetime(2025, 3, 18, 19, tzinfo=UTC)
        assert night.precision == "hour"

    def test_the_black_sea_arrangement_is_announced_and_conditional_on_sanctions_relief(self):
        black_sea = commitment("black-sea-safe-navigation")
        assert black_sea.status == "announced"
        assert not black_sea.status_changes.exists()
        assert "Rosselkhozbank" in black_sea.conditions
        assert "SWIFT" in black_sea.conditions
        assert black_sea.readings.count() == 3

    def test_the_thousand_for_thousand_tranches_add_up_to_a_thousand_each_way(self):
        exchange = commitment("exchange-1000-for-1000")
        deliveries = exchange.events.filter(kind=EventKind.DELIVERY)
        received = dict(
            DeliveredQuantity.objects.filter(event__in=deliveries)
            .values_list("received_by__name")
            .annotate(total=Sum("quantity"))
        )

        assert exchange.promised_quantity == 1000
        assert sorted(deliveries.values_list("quantities__quantity", flat=True)) == [
            303,
            303,
            307,
            307,
            390,
            390,
        ]
        assert received == {"Russia": 1000, "Ukraine": 1000}
        assert exchange.status == "fulfilled"
        assert exchange.status_changes.last().effective_at == dt.datetime(
            2025, 5, 24, 21, tzinfo=UTC
        )

    def test_the_19_march_exchange_keeps_the_kremlins_23_beside_the_22_received(self):
        exchange = commitment("exchange-2025-03-19")
        delivery = exchange.events.get(kind=EventKind.DELIVERY)
        wounded = delivery.quantities.get(unit="severely wounded prisoners")

        assert "23" in exchange.readings.get(is_working=True).wording
        assert wounded.received_by.name == "Ukraine"
        assert wounded.quantity == 22
        assert "23" in delivery.summary
        assert exchange.roles.get(role="mediator").party.name == "United Arab Emirates"

    def test_the_6_may_exchange_was_205_for_205(self):
        delivery = commitment("exchange-2025-05-06").events.get()
        assert sorted(delivery.quantities.values_list("received_by__name", "quantity")) == [
            ("Russia", 205),
            ("Ukraine", 205),
        ]

    def test_the_bodies_have_no_date_and_russias_total_is_its_own_claim(self):
        bodies = commitment("return-of-bodies-6000")
        reading = bodies.readings.get()
        claim = bodies.events.get(kind=EventKind.DELIVERY)

        assert bodies.promised_quantity == 6000
        assert reading.due_at is None
        assert claim.claimant.name == "Russia"
        assert claim.verification == Verification.UNVERIFIED
        assert dict(claim.quantities.values_list("received_by__name", "quantity")) == {
            "Ukraine": 6060,
            "Russia": 78,
        }

    def test_the_7_june_accusations_of_stalling_go_both_ways_and_are_disputed(self):
        russian, ukrainian = (
            commitment("return-of-bodies-6000")
            .events.filter(kind=EventKind.ALLEGED_VIOLATION)
            .order_by("pk")
        )
        assert (russian.claimant.name, russian.accused.name) == ("Russia", "Ukraine")
        assert (ukrainian.claimant.name, ukrainian.accused.name) == ("Ukraine", "Russia")
        assert ukrainian.in_response_to == russian
        assert {russian.verification, ukrainian.verification} == {Verification.DISPUTED}

    def test_ukraines_denials_answer_the_claims_they_deny(self):
        sudzha = event("Russia's defence ministry said Ukraine fired HIMARS")
        fourteen = ComplianceEvent.objects.get(count=14)

        assert sudzha.verification == Verification.DISPUTED
        assert fourteen.verification == Verification.DISPUTED
        assert sudzha.responses.get().claimant.name == "Ukraine"
        assert "fake" in fourteen.responses.get().summary

    def test_claims_and_commitments_carry_the_regions_their_places_lie_in(self):
        placed = dict(ComplianceEvent.objects.exclude(region="").values_list("summary", "region"))

        assert sorted(set(placed.values())) == ["RU-KDA", "RU-KRS", "RU-SAR", "UA-59"]
        assert event("Hours after the call, Ukraine reported").region == "UA-59"
        assert event("Russia's defence ministry said Ukraine fired HIMARS").region == "RU-KRS"
        several = event("Russia's defence ministry said Ukraine had struck Russian energy")
        assert (several.region, several.location.split(",")[0]) == ("", "Bryansk")
        black_sea = Commitment.objects.get(slug="black-sea-safe-navigation")
        assert black_sea.regions == ["UA-51", "UA-48", "UA-65", "RU-KDA"]

    def test_aggregate_claims_are_single_records_with_their_counts(self):
        over_120 = ComplianceEvent.objects.get(count=120)
        several_hundred = event("Russia's foreign minister said")
        eight = ComplianceEvent.objects.get(count=8)

        assert (over_120.claimant.name, over_120.location) == ("Russia", "15 regions")
        assert over_120.occurred_at.date() < over_120.occurred_until.date()
        assert "more than 120" in over_120.summary
        assert several_hundred.count is None
        assert "several hundred" in several_hundred.summary
        assert (eight.claimant.name, eight.accused.name) == ("Ukraine", "Russia")

    def test_no_claim_is_marked_verified_without_a_source_saying_so(self):
        verifications = set(ComplianceEvent.objects.values_list("verification", flat=True))
        assert verifications <= {
            Verification.UNVERIFIED,
            Verification.DISPUTED,
            Verification.CORROBORATED,
        }
        corroborated = ComplianceEvent.objects.filter(verification=Verification.CORROBORATED)
        assert set(corroborated.values_list("kind", flat=True)) == {EventKind.DELIVERY}
        assert not corroborated.filter(sources=None).exists()

    def test_every_source_has_a_url(self):
        assert not Source.objects.exclude(url__startswith="https://").exists()

    def test_each_reference_source_stays_on_the_record_it_supports(self):
        for url, cited_by in REFERENCE_SOURCES:
            assert cited_by().sources.filter(url=url).exists(), url

    def test_everything_loaded_is_public(self):
        assert public.agreements().count() == Agreement.objects.count()
        assert public.commitments().count() == Commitment.objects.count()
        assert public.readings().count() == Reading.objects.count()
        assert public.events().count() == ComplianceEvent.objects.count()

    def test_every_change_is_recorded_as_the_demo_data_import(self):
        for model in (Party, Source, Agreement, Commitment, Reading, ComplianceEvent):
            reasons = set(model.history.values_list("history_change_reason", flat=True))
            users = set(model.history.values_list("history_user", flat=True))
            assert reasons, model
            assert users == {None}, model
            if model is not Commitment:
                assert reasons == {demo.REASON}, model
        assert set(StatusChange.objects.values_list("actor", flat=True)) == {
            StatusChange.Actor.IMPORT,
            StatusChange.Actor.CLOCK,
        }

    def test_every_public_text_is_translated_into_ukrainian_and_russian(self):
        """So each page of the demo reads fully in each language, with nothing marked."""
        for model, options in TRANSLATED.items():
            for record in model.objects.all():
                for text in options.fields:
                    english = getattr(record, f"{text}_en")
                    for language in ("uk", "ru"):
                        translated = getattr(record, f"{text}_{language}")
                        assert bool(translated) == bool(english), (record, text, language)

    def test_the_demo_pages_read_in_ukrainian_and_russian_with_no_english_stand_in(self):
        addresses = [reverse("board"), reverse("changes")]
        addresses += [c.get_absolute_url() for c in public.commitments()]
        addresses += [a.get_absolute_url() for a in public.agreements()]
        addresses += [p.get_absolute_url() for p in public.parties()]
        with time_machine.travel(SUMMER_2025, tick=False):
            for language in ("uk", "ru"):
                for address in addresses:
                    response = self.client.get(address, HTTP_ACCEPT_LANGUAGE=language)
                    assert response.status_code == 200, address
                    assert 'class="untranslated"' not in response.content.decode(), (
                        address,
                        language,
                    )

    def test_each_reading_says_which_language_its_wording_is_in(self):
        for reading in Reading.objects.exclude(wording=""):
            assert reading.wording_language == "en", reading

    def test_no_individual_is_named_anywhere_in_the_records(self):
        texts = []
        for model in (
            Party,
            Source,
            Agreement,
            Commitment,
            Reading,
            ComplianceEvent,
            DeliveredQuantity,
            StatusChange,
        ):
            text_fields = [
                f.name
                for f in model._meta.concrete_fields
                if f.get_internal_type() in ("CharField", "TextField") and f.name != "url"
            ]
            for row in model.objects.values_list(*text_fields):
                texts.extend(value for value in row if value)
        text = "\n".join(texts)

        named = [person for person in PEOPLE if person.lower() in text.lower()]
        assert named == []


def test_the_file_names_no_individual_outside_its_source_addresses():
    data = json.loads(demo.DEFAULT_FILE.read_text(encoding="utf-8"))
    for source in data["sources"]:
        source.pop("url")

    def without_address_lists(value):
        if isinstance(value, dict):
            return {k: without_address_lists(v) for k, v in value.items() if k != "sources"}
        if isinstance(value, list):
            return [without_address_lists(v) for v in value]
        return value

    text = json.dumps(
        [data["sources"], without_address_lists(data["agreements"])], ensure_ascii=False
    )
    assert [person for person in PEOPLE if person.lower() in text.lower()] == []


def test_a_pause_still_running_when_loaded_is_left_for_the_clock_to_expire(db):
    data = json.loads(demo.DEFAULT_FILE.read_text(encoding="utf-8"))
    call = data["agreements"][0]
    call["commitments"] = [c for c in call["commitments"] if c["slug"] == "energy-strike-pause"]
    data["agreements"] = [call]
    # Only what had been reported by 10 April: an event cannot be dated in the future.
    pause = call["commitments"][0]
    pause["events"] = [
        e
        for e in pause["events"]
        if max(e["occurred_at"], e.get("occurred_until") or "") < "2025-04-10"
    ]

    with time_machine.travel(dt.datetime(2025, 4, 10, tzinfo=UTC), tick=False):
        demo.load(data)
    pause = Commitment.objects.get(slug="energy-strike-pause")
    assert pause.status == "in_force"
    assert pause.status_changes.count() == 1

    with time_machine.travel(dt.datetime(2025, 4, 17, tzinfo=UTC), tick=False):
        services.expire_due_windows()
    pause.refresh_from_db()
    assert pause.status == "expired"
    assert pause.status_changes.last().effective_at == dt.datetime(2025, 4, 16, 21, tzinfo=UTC)
