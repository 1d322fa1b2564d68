"""Nothing unpublished reaches a reader or a subscriber: checked by construction.

For each kind of record that can be unpublished (an agreement, a commitment,
a working reading, another reading, an event, a source only such records
cite, a party only such records name) a scenario builds one, marked with text
and instants found nowhere else, beside a public commitment. Then:

- every public address, listed from the URL configuration itself and asked
  with the marked record's slugs, must show no marker;
- every alert topic gets its chance (sweeps before and after the marked end,
  a status change, a verification) and no alert may be queued from the
  marked record, nor any message carry a marker.

Each scenario is then published and the same reads must show it, so the
check is known to see what it looks for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from tests.alerts_support import SubscriptionFactory
from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
    UserFactory,
)
from tests.test_public_leaks import every_public_address, shareable_copy
from tracker import services
from tracker.alerts.models import Delivery, Scope
from tracker.alerts.sweep import sweep
from tracker.evidence.models import Attachment, Capture
from tracker.models import Commitment, ComplianceEvent, EventKind, Verification
from tracker.site import share

UTC = dt.UTC
CREATED = dt.datetime(2031, 7, 1, tzinfo=UTC)
NOW = dt.datetime(2031, 7, 12, 14, 13, tzinfo=UTC)  # 23 hours before the marked end
MARKED_END = dt.datetime(2031, 7, 13, 13, 13, tzinfo=UTC)
AFTER_THE_END = dt.datetime(2031, 7, 13, 14, 0, tzinfo=UTC)
MARKED_EVENT_AT = dt.datetime(2031, 7, 10, 10, 10, tzinfo=UTC)

# The marked instants as pages, files, feeds and calendars write them.
MARKED_DAYS = ["2031-07-13", "20310713", "2031-07-10", "20310710", "13 July 2031", "10 July 2031"]

PUBLIC = {"agreement": "open-talks", "commitment": "open-pause", "party": "russia"}
MARKED = {"agreement": "marked-talks", "commitment": "marked-pause", "party": "marked-party"}


# What each public address is asked --------------------------------------------------


def _with_slug(url_name: str, kind: str) -> list[str]:
    return [reverse(url_name, args=[slugs[kind]]) for slugs in (PUBLIC, MARKED)]


def _with_query(url_name: str, **queries: str) -> list[str]:
    base = reverse(url_name)
    return [base, *(f"{base}?{name}={value}" for name, value in queries.items())]


def _searching(url_name: str) -> str:
    """The address searching for the markers' word (the page repeats it, in lower case)."""
    return f"{reverse(url_name)}?q=marker"


# A day between the records' making and the publication of the marked ones.
PAST_DAY = "2031-07-11"

REQUESTS = {
    "board": lambda: _with_query("board", party=MARKED["party"]),
    "as_of_board": lambda: [
        reverse("as_of_board", args=[PAST_DAY]),
        reverse("as_of_board", args=[PAST_DAY]) + f"?party={MARKED['party']}",
        # The same day as known now: today's record as it stood when the day ended.
        reverse("as_of_board", args=[PAST_DAY]) + "?known=now",
        reverse("as_of_board", args=[PAST_DAY]) + f"?known=now&party={MARKED['party']}",
    ],
    "commitment": lambda: (
        _with_slug("commitment", "commitment")
        + [reverse("commitment", args=[PUBLIC["commitment"]]) + f"?claimant={MARKED['party']}"]
        + [f"{url}?as_of={PAST_DAY}" for url in _with_slug("commitment", "commitment")]
        + [f"{url}?as_of={PAST_DAY}&known=now" for url in _with_slug("commitment", "commitment")]
    ),
    "agreement": lambda: (
        _with_slug("agreement", "agreement")
        + [f"{url}?as_of={PAST_DAY}" for url in _with_slug("agreement", "agreement")]
        + [f"{url}?as_of={PAST_DAY}&known=now" for url in _with_slug("agreement", "agreement")]
    ),
    "party": lambda: (
        _with_slug("party", "party")
        + [f"{url}?as_of={PAST_DAY}" for url in _with_slug("party", "party")]
        + [f"{url}?as_of={PAST_DAY}&known=now" for url in _with_slug("party", "party")]
    ),
    "changes": lambda: [reverse("changes")],
    "changes_feed": lambda: [reverse("changes_feed")],
    "commitment_feed": lambda: _with_slug("commitment_feed", "commitment"),
    "calendar": lambda: [reverse("calendar")],
    "commitment_calendar": lambda: _with_slug("commitment_calendar", "commitment"),
    "open_data": lambda: [reverse("open_data")],
    "commitments_csv": lambda: [reverse("commitments_csv")],
    "readings_csv": lambda: [reverse("readings_csv")],
    "events_csv": lambda: _with_query(
        "events_csv", commitment=MARKED["commitment"], claimant=MARKED["party"]
    ),
    "agreements_csv": lambda: _with_query("agreements_csv", party=MARKED["party"]),
    "parties_csv": lambda: [reverse("parties_csv")],
    "sources_csv": lambda: [reverse("sources_csv"), reverse("sources_csv") + "?link_status=gone"],
    "deletions_csv": lambda: [reverse("deletions_csv")],
    "datapackage": lambda: [reverse("datapackage")],
    "api_not_found": lambda: [f"/api/{MARKED['commitment']}/"],
    "search": lambda: [_searching("search"), f"{_searching('search')}&kind=source"],
    "api_commitments": lambda: _with_query(
        "api_commitments", agreement=MARKED["agreement"], party=MARKED["party"], q="marker"
    ),
    "api_commitment": lambda: _with_slug("api_commitment", "commitment"),
    "api_readings": lambda: _with_query(
        "api_readings", commitment=MARKED["commitment"], party=MARKED["party"], q="marker"
    ),
    "api_events": lambda: _with_query(
        "api_events", commitment=MARKED["commitment"], claimant=MARKED["party"], q="marker"
    ),
    "api_agreements": lambda: _with_query("api_agreements", party=MARKED["party"], q="marker"),
    "api_parties": lambda: _with_query("api_parties", q="marker"),
    "api_schema": lambda: [reverse("api_schema") + "?format=json"],
    "alerts:subscribe": lambda: _with_query("alerts:subscribe", commitment=MARKED["commitment"]),
    "board_card": lambda: [reverse("board_card")],
    "commitment_card": lambda: _with_slug("commitment_card", "commitment"),
    "commitment_embed": lambda: _with_slug("commitment_embed", "commitment"),
    "commitment_badge": lambda: _with_slug("commitment_badge", "commitment"),
    "regions": lambda: (
        _with_query("regions", commitment=MARKED["commitment"], claimant=MARKED["party"])
        + [f"{reverse('regions')}?as_of={PAST_DAY}{mode}" for mode in ("", "&known=now")]
        + [
            f"{reverse('regions')}?as_of={PAST_DAY}{mode}&claimant={MARKED['party']}"
            for mode in ("", "&known=now")
        ]
    ),
    "region": lambda: [
        reverse("region", args=["UA-65"]),
        *(f"{reverse('region', args=['UA-65'])}?as_of={PAST_DAY}{m}" for m in ("", "&known=now")),
    ],
    "shared_file": lambda: [
        reverse("shared_file", args=[pk]) for pk in Attachment.objects.values_list("pk", flat=True)
    ],
    "source_copy": lambda: [
        reverse("source_copy", args=[capture.source_id, capture.pk])
        for capture in Capture.objects.filter(state="captured")
    ],
}

# Addresses that show one subscriber their own subscription, behind a signed token,
# the date picker's redirect to the board of a day (it shows no record), and those
# that answer staff tools only, behind a staff member's token.
NOT_ASKED = {"alerts:confirm", "alerts:unsubscribe", "alerts:manage", "as_of_pick"} | {
    name for name in every_public_address() if name.startswith("staff_api:")
}


@pytest.fixture(autouse=True)
def evidence_in_a_folder_of_its_own(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence"},
        },
    }


@pytest.fixture(autouse=True)
def images_read_as_their_drawing(monkeypatch):
    """The share images stay the SVG they are drawn as, so their text can be searched."""
    monkeypatch.setattr(share.cairosvg, "svg2png", lambda bytestring, **options: bytestring)


def test_every_public_address_is_asked():
    addresses = set(every_public_address())

    assert addresses - set(REQUESTS) - NOT_ASKED == set(), "add these to REQUESTS"
    assert set(REQUESTS) - addresses == set(), "these addresses no longer exist"


# Each address is read in English, and again in Ukrainian and Russian: translations
# (title_uk, summary_ru…) are texts of the record like any other.
LANGUAGES = {"en": "", "uk": "uk ", "ru": "ru "}


def read_every_public_output(client) -> dict[str, str]:
    """{address: body} in English, and {"uk address": body}… in the other languages."""
    pages = {}
    with time_machine.travel(NOW, tick=False):
        for make_urls in REQUESTS.values():
            for url in make_urls():
                for language, prefix in LANGUAGES.items():
                    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
                    assert response.status_code in (200, 400, 404), f"{url}: {response.status_code}"
                    body = (
                        b"".join(response.streaming_content)
                        if response.streaming
                        else response.content
                    )
                    text = body.decode(errors="replace").replace(
                        "\r\n ", ""
                    )  # iCalendar folds long lines
                    # Search marks the words it found: a marked word must not hide a marker.
                    pages[prefix + url] = text.replace("<mark>", "").replace("</mark>", "")
    return pages


def showing(pages: dict[str, str], markers: list[str]) -> dict[str, list[str]]:
    """{address: the markers it shows}, for the addresses that show any."""
    found = {url: [m for m in markers if m in body] for url, body in pages.items()}
    return {url: shown for url, shown in found.items() if shown}


# The scenarios -------------------------------------------------------------------


@dataclass
class Scenario:
    """One unpublished record and what it drags along, with the markers it carries."""

    markers: list[str]
    to_publish: list = field(default_factory=list)
    commitment: Commitment | None = None
    commitment_is_hidden: bool = False
    event: ComplianceEvent | None = None
    # Where the markers must show once published.
    shown_once_published: list[str] = field(default_factory=list)


@pytest.fixture
def reviewer_on_duty(db):
    return UserFactory(username="reviewer-on-duty", role="Reviewers")


@pytest.fixture
def public_world(db):
    """A public agreement and commitment, with a working window that is nowhere near its end."""
    with time_machine.travel(CREATED, tick=False):
        russia = PartyFactory(name="Russia", slug="russia")
        ukraine = PartyFactory(name="Ukraine", slug="ukraine")
        agreement = AgreementFactory(slug=PUBLIC["agreement"], title="Open talks")
        agreement.parties.add(russia, ukraine)
        commitment = CommitmentFactory(
            agreement=agreement, slug=PUBLIC["commitment"], title="Open pause"
        )
        CommitmentPartyFactory(commitment=commitment, party=russia)
        CommitmentPartyFactory(commitment=commitment, party=ukraine)
        ReadingFactory(
            commitment=commitment,
            label="Agreed count",
            starts_at=dt.datetime(2031, 7, 11, tzinfo=UTC),
            ends_at=dt.datetime(2032, 1, 1, tzinfo=UTC),
        )
        ComplianceEventFactory(
            commitment=commitment,
            claimant=ukraine,
            accused=russia,
            occurred_at=dt.datetime(2031, 7, 11, 6, tzinfo=UTC),
            summary="Strike on a substation",
        )
    return {"agreement": agreement, "commitment": commitment, "russia": russia, "ukraine": ukraine}


def marked_window(agreement, **fields) -> tuple[Commitment, list]:
    """An in-force window under ``agreement`` whose working reading ends at the marked end."""
    commitment = CommitmentFactory(agreement=agreement, slug=MARKED["commitment"], **fields)
    reading = ReadingFactory(
        commitment=commitment,
        label="MARKER-READING-LABEL",
        label_uk="MARKER-UK-READING-LABEL",
        scope_ru="MARKER-RU-READING-SCOPE",
        wording="MARKER-READING-WORDING",
        starts_at=dt.datetime(2031, 7, 3, 13, 13, tzinfo=UTC),
        ends_at=MARKED_END,
        precision="minute",
    )
    return commitment, [reading]


def marked_violation(commitment, **fields) -> ComplianceEvent:
    return ComplianceEventFactory(
        commitment=commitment,
        kind=EventKind.CONFIRMED_VIOLATION,
        occurred_at=MARKED_EVENT_AT,
        precision="minute",
        location="MARKER-EVENT-LOCATION",
        location_uk="MARKER-UK-EVENT-LOCATION",
        region="UA-65",
        summary=fields.pop("summary", "MARKER-EVENT-SUMMARY"),
        summary_ru="MARKER-RU-EVENT-SUMMARY",
        **fields,
    )


def unpublished_agreement(world) -> Scenario:
    agreement = AgreementFactory(
        slug=MARKED["agreement"], title="MARKER-AGREEMENT", summary="MARKER", is_published=False
    )
    commitment, readings = marked_window(agreement, title="MARKER-COMMITMENT")
    event = marked_violation(commitment, verification=Verification.VERIFIED)
    return Scenario(
        markers=["MARKER", *MARKED_DAYS],
        to_publish=[agreement],
        commitment=commitment,
        commitment_is_hidden=True,
        event=event,
        shown_once_published=[
            reverse("board"),
            reverse("agreement", args=[MARKED["agreement"]]),
            reverse("commitment", args=[MARKED["commitment"]]),
            reverse("api_agreements"),
            reverse("events_csv"),
            _searching("search"),
            _searching("api_agreements"),
            _searching("api_commitments"),
            _searching("api_events"),
        ],
    )


def unpublished_commitment(world) -> Scenario:
    commitment, readings = marked_window(
        world["agreement"], title="MARKER-COMMITMENT", is_published=False
    )
    CommitmentPartyFactory(commitment=commitment, party=world["russia"])
    event = marked_violation(commitment, verification=Verification.VERIFIED)
    return Scenario(
        markers=["MARKER", *MARKED_DAYS],
        to_publish=[commitment],
        commitment=commitment,
        commitment_is_hidden=True,
        event=event,
        shown_once_published=[
            reverse("board"),
            reverse("commitment", args=[MARKED["commitment"]]),
            reverse("party", args=[PUBLIC["party"]]),
            reverse("calendar"),
            reverse("commitments_csv"),
            reverse("api_commitments"),
            reverse("commitment_card", args=[MARKED["commitment"]]),
            reverse("commitment_embed", args=[MARKED["commitment"]]),
            reverse("commitment_badge", args=[MARKED["commitment"]]),
            _searching("search"),
            _searching("api_commitments"),
        ],
    )


def unpublished_working_reading(world) -> Scenario:
    """The board and the sweep once read this reading's end although nobody had published it."""
    commitment, readings = marked_window(world["agreement"], title="Pause with an end to check")
    for reading in readings:
        reading.is_published = False
        reading.save()
    return Scenario(
        markers=["MARKER", *MARKED_DAYS],
        to_publish=readings,
        commitment=commitment,
        shown_once_published=[
            reverse("board"),
            reverse("agreement", args=[PUBLIC["agreement"]]),
            reverse("commitment", args=[MARKED["commitment"]]),
            reverse("calendar"),
            reverse("commitments_csv"),
            reverse("readings_csv"),
            reverse("api_commitment", args=[MARKED["commitment"]]),
            reverse("commitment_card", args=[MARKED["commitment"]]),
            reverse("commitment_embed", args=[MARKED["commitment"]]),
            _searching("api_readings"),
        ],
    )


def unpublished_other_reading(world) -> Scenario:
    reading = ReadingFactory(
        commitment=world["commitment"],
        is_working=False,
        label="MARKER-OTHER-READING",
        wording="MARKER",
        starts_at=dt.datetime(2031, 7, 11, tzinfo=UTC),
        ends_at=MARKED_END,
        is_published=False,
    )
    return Scenario(
        markers=["MARKER", *MARKED_DAYS],
        to_publish=[reading],
        shown_once_published=[
            reverse("commitment", args=[PUBLIC["commitment"]]),
            reverse("calendar"),
            reverse("readings_csv"),
            reverse("api_readings"),
            _searching("api_readings"),
        ],
    )


def unpublished_event(world) -> Scenario:
    event = marked_violation(
        world["commitment"],
        claimant=world["ukraine"],
        accused=world["russia"],
        is_published=False,
    )
    return Scenario(
        markers=["MARKER", *MARKED_DAYS],
        to_publish=[event],
        event=event,
        shown_once_published=[
            reverse("commitment", args=[PUBLIC["commitment"]]),
            reverse("commitment_feed", args=[PUBLIC["commitment"]]),
            reverse("events_csv"),
            reverse("api_events"),
            _searching("search"),
            _searching("api_events"),
        ],
    )


def source_of_unpublished_records(world) -> Scenario:
    source = SourceFactory(
        url="https://marker.example.org/readout", title="MARKER-SOURCE", publisher="MARKER"
    )
    event = ComplianceEventFactory(
        commitment=world["commitment"],
        claimant=world["ukraine"],
        accused=world["russia"],
        occurred_at=dt.datetime(2031, 7, 11, 8, tzinfo=UTC),
        summary="A claim still being checked",
        is_published=False,
    )
    event.sources.add(source)
    reading = ReadingFactory(
        commitment=world["commitment"], is_working=False, label="Draft", is_published=False
    )
    reading.sources.add(source)
    # Its archived copy, which staff marked shareable, and the copy's hash.
    copy = shareable_copy(source, "MARKER-COPY of the readout")
    return Scenario(
        markers=["MARKER", "marker.example.org", copy.sha256],
        to_publish=[event],
        shown_once_published=[
            reverse("source_copy", args=[source.pk, copy.pk]),
            reverse("sources_csv"),
            reverse("sources_csv") + "?link_status=gone",
            reverse("commitment", args=[PUBLIC["commitment"]]),
            reverse("events_csv"),
            reverse("api_events"),
            _searching("search"),
            f"{_searching('search')}&kind=source",
        ],
    )


def party_named_only_by_unpublished_records(world) -> Scenario:
    party = PartyFactory(
        name="MARKER-PARTY", short_name="MARKER", slug=MARKED["party"], time_zone="Pacific/Chatham"
    )
    commitment = CommitmentFactory(
        agreement=world["agreement"],
        slug=MARKED["commitment"],
        title="Pledge still in draft",
        is_published=False,
    )
    CommitmentPartyFactory(commitment=commitment, party=party)
    ComplianceEventFactory(
        commitment=world["commitment"],
        claimant=party,
        accused=world["russia"],
        summary="A claim still in draft",
        is_published=False,
    )
    hidden_talks = AgreementFactory(slug=MARKED["agreement"], is_published=False)
    hidden_talks.parties.add(party)
    return Scenario(
        markers=["MARKER", "Pacific/Chatham"],
        to_publish=[commitment],
        commitment=commitment,
        commitment_is_hidden=True,
        shown_once_published=[
            reverse("board"),
            reverse("commitment", args=[MARKED["commitment"]]),
            reverse("party", args=[MARKED["party"]]),
            reverse("api_parties"),
            _searching("api_parties"),
        ],
    )


SCENARIOS = {
    "agreement": unpublished_agreement,
    "commitment": unpublished_commitment,
    "working reading": unpublished_working_reading,
    "other reading": unpublished_other_reading,
    "event": unpublished_event,
    "source": source_of_unpublished_records,
    "party link": party_named_only_by_unpublished_records,
}


# The kinds that raise alerts of their own once published: sources and parties do not.
RAISING_ALERTS = ["agreement", "commitment", "working reading", "event"]


@pytest.fixture(params=list(SCENARIOS))
def scenario(request, public_world) -> Scenario:
    with time_machine.travel(CREATED, tick=False):
        return SCENARIOS[request.param](public_world)


def publish(scenario: Scenario, actor) -> None:
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        for record in scenario.to_publish:
            services.publish(record, actor=actor, reason="Checked")


# Public outputs -----------------------------------------------------------------------


def test_an_unpublished_record_shows_on_no_public_output(client, scenario):
    pages = read_every_public_output(client)

    assert showing(pages, scenario.markers) == {}


def test_the_same_record_shows_where_it_belongs_once_published(client, scenario, reviewer_on_duty):
    publish(scenario, reviewer_on_duty)

    pages = read_every_public_output(client)

    shown = showing(pages, scenario.markers)
    missing = [url for url in scenario.shown_once_published if url not in shown]
    assert missing == [], "the check would not see these outputs"


# Alerts -------------------------------------------------------------------------------


@pytest.fixture
def subscribers(scenario):
    """Everyone listening to everything, and some to the marked records by name."""
    with time_machine.travel(CREATED, tick=False):
        subscriptions = [SubscriptionFactory(lead_times="7d, 72h, 24h")]
        marked = Commitment.objects.filter(slug=MARKED["commitment"]).first()
        if marked is not None:
            subscriptions.append(SubscriptionFactory(scope=Scope.COMMITMENT, commitment=marked))
            subscriptions.append(
                SubscriptionFactory(scope=Scope.AGREEMENT, agreement=marked.agreement)
            )
    return subscriptions


def give_every_topic_its_chance(scenario: Scenario, actor) -> None:
    """An "ends in" warning is due, then the end passes; staff change and verify things."""
    with time_machine.travel(NOW, tick=False):
        sweep()
        if scenario.commitment_is_hidden:
            services.change_status(
                scenario.commitment, "suspended", actor=actor, reason="Talks paused"
            )
        if scenario.event is not None:
            event = ComplianceEvent.objects.get(pk=scenario.event.pk)
            if event.verification != Verification.VERIFIED:
                services.verify_event(event, Verification.VERIFIED, actor=actor, reason="Seen")
    with time_machine.travel(AFTER_THE_END, tick=False):
        sweep()


def alerts_from(scenario: Scenario) -> list[Delivery]:
    alerts = Delivery.objects.none()
    if scenario.commitment is not None:
        alerts |= Delivery.objects.filter(commitment=scenario.commitment)
    if scenario.event is not None:
        alerts |= Delivery.objects.filter(event=scenario.event)
    return list(alerts)


def messages_showing(markers: list[str]) -> list[str]:
    return [
        message.subject
        for message in mail.outbox
        if any(marker in message.subject + message.body for marker in markers)
    ]


def test_an_unpublished_record_queues_no_alert_on_any_topic(
    scenario, subscribers, reviewer_on_duty
):
    give_every_topic_its_chance(scenario, reviewer_on_duty)

    assert alerts_from(scenario) == []
    assert messages_showing(scenario.markers) == []


@pytest.mark.parametrize("scenario", ["working reading"], indirect=True)
def test_the_clock_does_not_expire_a_window_by_an_unpublished_end(
    scenario, subscribers, reviewer_on_duty
):
    give_every_topic_its_chance(scenario, reviewer_on_duty)

    scenario.commitment.refresh_from_db()
    assert scenario.commitment.status == "in_force"


@pytest.mark.parametrize("scenario", RAISING_ALERTS, indirect=True)
def test_the_same_record_alerts_its_subscribers_once_published(
    scenario, subscribers, reviewer_on_duty
):
    publish(scenario, reviewer_on_duty)

    give_every_topic_its_chance(scenario, reviewer_on_duty)

    assert alerts_from(scenario) != []
