"""What the public must never see, checked on every public output.

The list of outputs comes from the URL configuration itself: a new page, feed,
file or endpoint fails ``test_every_public_address_is_checked`` until it is
added here, so nobody can forget to check it.

One record of each publishable kind starts unpublished. It must not show
anywhere; once published it shows where it belongs; once withdrawn it is gone
again, leaving only a tombstone in the changelog. Internal notes and the names
of staff never show at all.
"""

import datetime as dt
import hashlib
from importlib import import_module
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, reverse

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
from tests.test_evidence_attachments import photo_with_metadata
from tracker import services
from tracker.evidence import attachments, storage
from tracker.evidence.models import Attachment, Capture, Link
from tracker.models import ComplianceEvent
from tracker.site import share

UTC = dt.UTC

PUBLIC_SLUGS = {"commitment": "public-pause", "agreement": "public-talks"}
HIDDEN_SLUGS = {"commitment": "hidden-pause", "agreement": "hidden-talks"}

# Text that only the unpublished records carry.
HIDDEN_AGREEMENT = "HIDDEN-AGREEMENT-TITLE"
HIDDEN_COMMITMENT = "HIDDEN-COMMITMENT-TITLE"
HIDDEN_READING = "HIDDEN-READING-LABEL"
HIDDEN_EVENT = "HIDDEN-EVENT-SUMMARY"
# The archived copy of a source only the unpublished claim cites, and that copy's SHA-256.
HIDDEN_COPY = "HIDDEN-SOURCE-COPY"
HIDDEN_COPY_SHA256 = hashlib.sha256(HIDDEN_COPY.encode()).hexdigest()
HIDDEN = [HIDDEN_AGREEMENT, HIDDEN_COMMITMENT, HIDDEN_READING, HIDDEN_EVENT, HIDDEN_COPY]
HIDDEN += [HIDDEN_COPY_SHA256]
# A photo from the field attached to the unpublished claim, marked public by staff.
HIDDEN_FILE = "HIDDEN-FILE-CAPTION"
HIDDEN.append(HIDDEN_FILE)

# Text that must never show, published or not (compared without case).
NEVER = ["secret-note", "zoya", "secretova"]
# The device that took a photo from the field: its original's metadata, never public.
NEVER.append("snoopphone")


def both(url_name: str) -> list[str]:
    kind = "agreement" if "agreement" in url_name else "commitment"
    return [
        reverse(url_name, args=[PUBLIC_SLUGS[kind]]),
        reverse(url_name, args=[HIDDEN_SLUGS[kind]]),
    ]


# The test's days: the records are made, then read, published, read, withdrawn and read,
# each on a later day, so the past has a day before the drafts were published and one after.
MADE = dt.datetime(2025, 3, 20, 10, tzinfo=UTC)
READ_DRAFTS = dt.datetime(2025, 3, 22, 12, tzinfo=UTC)
READ_PUBLISHED = dt.datetime(2025, 3, 24, 12, tzinfo=UTC)
READ_WITHDRAWN = dt.datetime(2025, 3, 26, 12, tzinfo=UTC)
DRAFTS_DAY, PUBLISHED_DAY = "2025-03-21", "2025-03-23"


def as_of(url_name: str) -> list[str]:
    """The commitment pages as they stood before the drafts were published, and after."""
    return [f"{url}?as_of={day}" for url in both(url_name) for day in (DRAFTS_DAY, PUBLISHED_DAY)]


def past_days(url: str) -> list[str]:
    """A page before the drafts were published and after, as published then and as known now."""
    return [
        f"{url}?as_of={day}{mode}"
        for day in (DRAFTS_DAY, PUBLISHED_DAY)
        for mode in ("", "&known=now")
    ]


def searching(url_name: str, words: str = "hidden") -> str:
    return f"{reverse(url_name)}?{urlencode({'q': words})}"


# Every named address of the public site, and the requests that check it.
OUTPUTS = {
    "board": lambda: [reverse("board"), reverse("board") + "?party=russia"],
    "commitment": lambda: both("commitment") + as_of("commitment"),
    "as_of_board": lambda: [
        reverse("as_of_board", args=[day]) + query
        for day in (DRAFTS_DAY, PUBLISHED_DAY)
        for query in ("", "?party=russia")
    ],
    "agreement": lambda: both("agreement"),
    "party": lambda: [reverse("party", args=["russia"]), reverse("party", args=["ukraine"])],
    "changes": lambda: [reverse("changes")],
    "changes_feed": lambda: [reverse("changes_feed")],
    "commitment_feed": lambda: both("commitment_feed"),
    "calendar": lambda: [reverse("calendar")],
    "commitment_calendar": lambda: both("commitment_calendar"),
    "open_data": lambda: [reverse("open_data")],
    "commitments_csv": lambda: [reverse("commitments_csv")],
    "readings_csv": lambda: [reverse("readings_csv")],
    "events_csv": lambda: [
        reverse("events_csv"),
        reverse("events_csv") + "?party=russia&hxl=1",
        reverse("events_csv") + "?commitment=public-pause",
    ],
    "agreements_csv": lambda: [reverse("agreements_csv")],
    "parties_csv": lambda: [reverse("parties_csv")],
    "sources_csv": lambda: [
        reverse("sources_csv"),
        reverse("sources_csv") + "?link_status=gone&hxl=1",
        reverse("sources_csv") + "?link_status=unchecked",
    ],
    "deletions_csv": lambda: [reverse("deletions_csv")],
    "datapackage": lambda: [reverse("datapackage")],
    "api_not_found": lambda: ["/api/hidden-pause/", "/api/commitments/hidden-pause/readings/"],
    "search": lambda: [
        searching("search", "hidden"),
        # Internal notes and staff are in no search index (the page repeats the words asked).
        searching("search", "secret note"),
        searching("search", "secretov"),
        searching("search", "zoy"),
    ],
    "api_commitments": lambda: [reverse("api_commitments"), searching("api_commitments")],
    "api_commitment": lambda: both("api_commitment"),
    "api_readings": lambda: [reverse("api_readings"), searching("api_readings")],
    "api_events": lambda: [reverse("api_events"), searching("api_events")],
    "api_agreements": lambda: [reverse("api_agreements"), searching("api_agreements")],
    "api_parties": lambda: [reverse("api_parties"), searching("api_parties", "secret")],
    "api_schema": lambda: [reverse("api_schema") + "?format=json"],
    "alerts:subscribe": lambda: [
        reverse("alerts:subscribe"),
        reverse("alerts:subscribe") + "?commitment=hidden-pause",
    ],
    "board_card": lambda: [reverse("board_card")],
    "commitment_card": lambda: both("commitment_card"),
    "commitment_embed": lambda: both("commitment_embed"),
    "commitment_badge": lambda: both("commitment_badge"),
    "regions": lambda: [
        reverse("regions"),
        *past_days(reverse("regions")),
        reverse("regions") + "?commitment=public-pause",
        reverse("regions") + "?claimant=russia&kind=alleged_violation",
    ],
    "shared_file": lambda: [
        reverse("shared_file", args=[pk]) for pk in Attachment.objects.values_list("pk", flat=True)
    ],
    "source_copy": lambda: [
        reverse("source_copy", args=[capture.source_id, capture.pk])
        for capture in Capture.objects.filter(state="captured")
    ],
    "region": lambda: [
        reverse("region", args=["UA-65"]),
        *past_days(reverse("region", args=["UA-65"])),
        reverse("region", args=["UA-65"]) + "?commitment=public-pause",
    ],
}

# Addresses that are not outputs of the record, with the reason.
STAFF_ONLY = "answers staff tools only, behind a staff member's token, and is never cached"
NOT_OUTPUTS = {
    "as_of_pick": "redirects the date picker's ?date= to /as-of/<day>/ and shows no record",
    "alerts:confirm": "shows one subscriber their own subscription, behind a signed token",
    "alerts:unsubscribe": "shows one subscriber their own subscription, behind a signed token",
    "alerts:manage": "shows one subscriber their own subscription, behind a signed token",
    "staff_api:events": STAFF_ONLY,
    "staff_api:event": STAFF_ONLY,
    "staff_api:event_verify": STAFF_ONLY,
    "staff_api:event_publish": STAFF_ONLY,
    "staff_api:sources": STAFF_ONLY,
    "staff_api:source": STAFF_ONLY,
}

URLCONFS = {
    "tracker.site.urls": "",
    "tracker.opendata.urls": "",
    "tracker.alerts.urls": "alerts:",
    "tracker.staff.api.urls": "staff_api:",
}


def url_names(patterns, prefix: str = "") -> list[str]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            names += url_names(pattern.url_patterns, prefix + namespace)
        else:
            names.append(prefix + (pattern.name or f"<unnamed {pattern.pattern}>"))
    return names


def every_public_address() -> list[str]:
    names = []
    for module, prefix in URLCONFS.items():
        names += url_names(import_module(module).urlpatterns, prefix)
    return names


def test_every_public_address_is_checked():
    addresses = set(every_public_address())

    assert addresses - set(OUTPUTS) - set(NOT_OUTPUTS) == set(), "add these to OUTPUTS"
    assert set(OUTPUTS) - addresses == set(), "these addresses no longer exist"


@pytest.fixture(autouse=True)
def images_read_as_their_drawing(monkeypatch):
    """The share images are drawn as SVG, then rendered to PNG; here they stay SVG, so the
    text they would show can be searched like any page's."""
    monkeypatch.setattr(share.cairosvg, "svg2png", lambda bytestring, **options: bytestring)


def read(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code in (200, 404), f"{url} answered {response.status_code}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    # Files from the field are images: their bytes are searched as text all the same.
    text = body.decode(errors="replace")
    if response["Content-Type"].startswith("text/calendar"):
        text = text.replace("\r\n ", "")  # iCalendar folds long lines
    # Search marks the words it found; a marked word must not hide the text around it.
    return text.replace("<mark>", "").replace("</mark>", "")


def read_everything(client) -> dict[str, str]:
    return {url: read(client, url) for make_urls in OUTPUTS.values() for url in make_urls()}


def showing(pages: dict[str, str], text: str) -> set[str]:
    return {url for url, body in pages.items() if text in body}


def assert_never_shown(pages: dict[str, str]) -> None:
    for url, body in pages.items():
        lowered = body.lower()
        for text in NEVER:
            assert text not in lowered, f"{url} shows {text!r}"


@pytest.fixture(autouse=True)
def evidence_in_a_folder_of_its_own(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence"},
        },
    }


def shareable_copy(source, body: str, **fields) -> Capture:
    """A kept copy of ``source`` that staff marked shareable."""
    name, sha256 = storage.write_verified(f"copies/{source.pk}", body.encode())
    Link.objects.create(source=source, status="gone", status_since=MADE, shareable=True)
    return Capture.objects.create(
        source=source,
        url=source.url,
        state="captured",
        content_type="text/plain",
        size=len(body),
        sha256=sha256,
        captured_at=MADE,
        body_name=name,
        **fields,
    )


@pytest.fixture
def staff_member(db):
    """A reviewer with a name, who records, verifies and changes things."""
    return UserFactory(
        username="zoya.secretova",
        first_name="Zoya",
        last_name="Secretova",
        email="zoya@example.org",
        role="Reviewers",
    )


@pytest.fixture
def world(db, staff_member):
    """A published commitment with notes and staff traces, and one draft of each kind."""
    with time_machine.travel(MADE, tick=False):
        return make_world(staff_member)


def make_world(staff_member):
    russia = PartyFactory(name="Russia", slug="russia")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    agreement = AgreementFactory(
        slug=PUBLIC_SLUGS["agreement"], title="Call of 18 March", internal_note="SECRET-NOTE-A"
    )
    agreement.parties.add(russia, ukraine)
    commitment = CommitmentFactory(
        agreement=agreement,
        slug=PUBLIC_SLUGS["commitment"],
        title="Pause on energy strikes",
        internal_note="SECRET-NOTE-C",
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(commitment=commitment, party=ukraine)
    ReadingFactory(commitment=commitment, label="Kremlin's count", read_by=russia)

    event = ComplianceEvent(
        commitment=commitment,
        kind="alleged_violation",
        claimant=ukraine,
        accused=russia,
        occurred_at=dt.datetime(2025, 3, 19, 2, tzinfo=UTC),
        summary="Strike on a substation in Sloviansk",
        internal_note="SECRET-NOTE-E",
    )
    cited = SourceFactory()
    services.record_event(event, actor=staff_member, reason="Reported", sources=[cited])
    shareable_copy(cited, "A public copy")
    # A failed try at another copy: its reason is for staff only.
    Capture.objects.create(
        source=cited, url=cited.url, state="failed", failure_reason="SECRET-NOTE-CAPTURE"
    )
    services.verify_event(event, "disputed", actor=staff_member, reason="Denied by Russia")
    services.publish(event, actor=staff_member, reason="Checked")
    services.change_status(commitment, "suspended", actor=staff_member, reason="Talks paused")

    hidden_agreement = AgreementFactory(
        slug=HIDDEN_SLUGS["agreement"], title=HIDDEN_AGREEMENT, is_published=False
    )
    hidden_commitment = CommitmentFactory(
        agreement=agreement,
        slug=HIDDEN_SLUGS["commitment"],
        title=HIDDEN_COMMITMENT,
        is_published=False,
        internal_note="SECRET-NOTE-HC",
    )
    CommitmentPartyFactory(commitment=hidden_commitment, party=russia)
    hidden_reading = ReadingFactory(
        commitment=commitment,
        is_working=False,
        label=HIDDEN_READING,
        wording=HIDDEN_READING,
        ends_at=dt.datetime(2025, 4, 23, 21, tzinfo=UTC),
        is_published=False,
    )
    hidden_event = ComplianceEventFactory(
        commitment=commitment,
        claimant=russia,
        accused=ukraine,
        summary=HIDDEN_EVENT,
        region="UA-65",
        internal_note="SECRET-NOTE-HE",
        is_published=False,
    )
    hidden_source = SourceFactory(url="https://example.org/hidden-source")
    hidden_event.sources.add(hidden_source)
    shareable_copy(hidden_source, HIDDEN_COPY)
    attachments.attach(
        SimpleUploadedFile("strike.jpg", photo_with_metadata()),
        claim=hidden_event,
        caption=HIDDEN_FILE,
        public=True,
        actor=staff_member,
        reason="Sent by a monitor",
    )
    return [hidden_agreement, hidden_commitment, hidden_reading, hidden_event]


def test_drafts_notes_and_staff_never_show_until_published_and_vanish_when_withdrawn(
    client, world, staff_member
):
    with time_machine.travel(READ_DRAFTS, tick=False):
        before = read_everything(client)
    assert_never_shown(before)
    for text in HIDDEN:
        assert showing(before, text) == set(), f"{text} leaked before publication"
    assert "Pause on energy strikes" in before[reverse("board")]

    with time_machine.travel(READ_DRAFTS, tick=False):
        for record in world:
            services.publish(record, actor=staff_member, reason="Ready")
    with time_machine.travel(READ_PUBLISHED, tick=False):
        published = read_everything(client)

    assert_never_shown(published)
    assert showing(published, HIDDEN_AGREEMENT) >= {
        reverse("agreement", args=[HIDDEN_SLUGS["agreement"]]),
        reverse("api_agreements"),
        searching("search"),
        searching("api_agreements"),
    }
    assert showing(published, HIDDEN_COMMITMENT) >= {
        reverse("board"),
        reverse("regions"),
        reverse("commitment", args=[HIDDEN_SLUGS["commitment"]]),
        reverse("commitment_card", args=[HIDDEN_SLUGS["commitment"]]),
        reverse("commitment_embed", args=[HIDDEN_SLUGS["commitment"]]),
        reverse("commitment_badge", args=[HIDDEN_SLUGS["commitment"]]),
        reverse("api_commitments"),
        reverse("commitments_csv"),
        searching("search"),
        searching("api_commitments"),
    }
    assert showing(published, HIDDEN_READING) >= {
        reverse("api_readings"),
        reverse("readings_csv"),
        reverse("calendar"),
        reverse("commitment_calendar", args=[PUBLIC_SLUGS["commitment"]]),
        reverse("api_commitment", args=[PUBLIC_SLUGS["commitment"]]),
        searching("api_readings"),
    }
    assert showing(published, HIDDEN_EVENT) >= {
        reverse("commitment", args=[PUBLIC_SLUGS["commitment"]]),
        reverse("region", args=["UA-65"]),
        reverse("commitment_feed", args=[PUBLIC_SLUGS["commitment"]]),
        reverse("api_events"),
        reverse("events_csv"),
        searching("search"),
        searching("api_events"),
    }
    assert showing(published, HIDDEN_COPY_SHA256) >= {
        reverse("commitment", args=[PUBLIC_SLUGS["commitment"]]),
        reverse("api_events"),
        reverse("sources_csv"),
        reverse("sources_csv") + "?link_status=gone&hxl=1",
    }
    assert showing(published, HIDDEN_FILE) >= {
        reverse("commitment", args=[PUBLIC_SLUGS["commitment"]])
    }
    assert showing(published, HIDDEN_COPY) == {
        reverse("source_copy", args=[capture.source_id, capture.pk])
        for capture in Capture.objects.filter(sha256=HIDDEN_COPY_SHA256)
    }
    # The past shows the drafts from the day they were published, and not before.
    published_then = reverse("as_of_board", args=[PUBLISHED_DAY])
    public_then = f"{reverse('commitment', args=[PUBLIC_SLUGS['commitment']])}?as_of="
    hidden_then = f"{reverse('commitment', args=[HIDDEN_SLUGS['commitment']])}?as_of="
    regions_then = f"{reverse('regions')}?as_of="
    region_then = f"{reverse('region', args=['UA-65'])}?as_of="
    assert showing(published, HIDDEN_COMMITMENT) >= {
        published_then,
        hidden_then + PUBLISHED_DAY,
        regions_then + PUBLISHED_DAY,
    }
    assert showing(published, HIDDEN_READING) >= {public_then + PUBLISHED_DAY}
    assert showing(published, HIDDEN_EVENT) >= {
        public_then + PUBLISHED_DAY,
        region_then + PUBLISHED_DAY,
    }
    for text in HIDDEN:
        assert not showing(published, text) & {
            reverse("as_of_board", args=[DRAFTS_DAY]),
            public_then + DRAFTS_DAY,
            hidden_then + DRAFTS_DAY,
            regions_then + DRAFTS_DAY,
            region_then + DRAFTS_DAY,
        }, f"{text} shows on a day before it was published"

    with time_machine.travel(READ_PUBLISHED, tick=False):
        for record in world:
            services.unpublish(record, actor=staff_member, reason="Withdrawn pending review")
    with time_machine.travel(READ_WITHDRAWN, tick=False):
        withdrawn = read_everything(client)

    assert_never_shown(withdrawn)
    for text in HIDDEN:
        assert showing(withdrawn, text) == set(), f"{text} still shows after withdrawal"
    assert "withdrawn from publication" in withdrawn[reverse("changes")]
    assert "withdrawn from publication" in withdrawn[reverse("changes_feed")]


def test_an_unpublished_commitment_has_no_embed_badge_or_share_image(client, world, staff_member):
    hidden = [
        reverse(name, args=[HIDDEN_SLUGS["commitment"]])
        for name in ("commitment_embed", "commitment_badge", "commitment_card")
    ]

    assert [client.get(url).status_code for url in hidden] == [404, 404, 404]
    services.publish(world[1], actor=staff_member, reason="Ready")
    assert [client.get(url).status_code for url in hidden] == [200, 200, 200]
    services.unpublish(world[1], actor=staff_member, reason="Withdrawn pending review")
    assert [client.get(url).status_code for url in hidden] == [404, 404, 404]
