"""Garbage in, a clear answer out: generated input never causes a server error or half a record.

Hypothesis posts dates that do not exist, unknown zones, huge numbers, control
characters and any unicode to every admin form and action page, the public
subscribe form, every public query parameter and API filter, the reader's
zone (``tz``) among them (whatever it says, the page is given), and, with a
reviewer's token, any JSON to every staff API endpoint, nested to any depth,
cut short or not JSON at all. Each example
runs in a transaction of its own. A response may refuse the input (a form
shown again, a 400, a 404, a 429) but never fail with a 5xx; and a refused
save leaves every table as it was, while an accepted one leaves a record that
passes its own validation.

``FUZZ_SCALE=20 pytest tests/test_fuzz.py`` runs twenty times as many examples.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import tracemalloc
from urllib.parse import quote, urlencode

import time_machine
from django.apps import apps
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ParseError

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
from tracker.alerts.models import Subscription
from tracker.opendata import files
from tracker.opendata.api.views import ENDPOINTS
from tracker.staff.api.parsers import MAX_BODY_BYTES, BoundedJSONParser

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)
# The world is made a few days before NOW, so the board has a past to show.
MADE = NOW - dt.timedelta(days=3)
PAST_DAY = "2025-04-08"

ODD_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1e999",
    "NaN",
    "2025-02-30",
    "2025-13-01",
    "0000-00-00",
    "31/12/2025",
    "9999-12-31",
    "0001-01-01",
    "25:61",
    "23:59:60",
    "2025-04-01T24:00:00+99:00",
    "Europe/Nowhere",
    "../../etc/passwd",
    "Europe/Kyiv",
    "\x00",
    "\x1b[2J",
    "true",
    "on",
    "[]",
    "{'a': 1}",
    "%00",
    "💥" * 20,
    "ꙮ" * 200,
    "1" * 40,
    "https://example.org/" + "a" * 600,
]
GARBAGE = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(max_size=60),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.dates(min_value=dt.date(1, 1, 1)).map(str),
    st.text(min_size=1000, max_size=3000),
)
PUBLIC_PAGES = [
    "/",
    "/commitments/pause/",
    "/changes/",
    "/agreements/call/",
    "/parties/russia/",
    f"/as-of/{PAST_DAY}/",
    f"/commitments/pause/?as_of={PAST_DAY}",
    "/regions/",
    "/regions/UA-59/",
]
REGION_FILTERS = ["commitment", "claimant", "kind", "verification", "from", "to", "tz"]
# What a search box gets: the syntax of every search engine, words in three scripts, and worse.
SEARCH_PIECES = [
    '"',
    "*",
    "NEAR(",
    ")",
    "AND",
    "OR",
    "NOT",
    "' OR 1=1 --",
    ":*",
    "&",
    "|",
    "!",
    "^",
    "-",
    "+",
    "(",
    "{",
    "}",
    "\\",
    "'",
    ";",
    "%",
    "_",
    "\x00",
    "\x1b",
    "\u200b",
    "energ",
    "енергет",
    "энерг",
    "pause",
    "ё",
    "💥",
    "1",
]
SEARCHES = st.one_of(
    st.lists(st.sampled_from(SEARCH_PIECES), max_size=14).map(" ".join),
    st.lists(st.sampled_from(SEARCH_PIECES), max_size=14).map("".join),
    st.text(max_size=80),
    st.sampled_from(["energy " * 2000, "енергет" * 1500, "a" * 10_000]),
)
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=12 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def with_garbage(valid: dict, names: list[str]):
    """The valid form with any of its fields, and maybe a stray one, replaced by garbage."""
    replaced = st.dictionaries(st.sampled_from(names), GARBAGE, max_size=len(names))
    stray = st.dictionaries(st.text(min_size=1, max_size=12), GARBAGE, max_size=1)
    return st.tuples(replaced, stray).map(lambda parts: {**valid, **parts[0], **parts[1]})


def table_counts() -> dict[str, int]:
    models = [*apps.get_app_config("tracker").get_models(), Subscription]
    return {model._meta.db_table: model.objects.count() for model in models}


class Fuzzing(TestCase):
    """A small published world, at a fixed moment, for every example to work against."""

    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(MADE, tick=False):
            cls.russia = PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")
            cls.ukraine = PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")
            cls.source = SourceFactory()
            cls.agreement = AgreementFactory(slug="call")
            cls.agreement.parties.add(cls.russia, cls.ukraine)
            cls.pause = CommitmentFactory(agreement=cls.agreement, slug="pause")
            CommitmentPartyFactory(commitment=cls.pause, party=cls.russia)
            cls.reading = ReadingFactory(commitment=cls.pause, time_zone="Europe/Kyiv")
            cls.other_reading = ReadingFactory(commitment=cls.pause, is_working=False)
            cls.event = ComplianceEventFactory(
                commitment=cls.pause, claimant=cls.ukraine, accused=cls.russia
            )
            cls.reviewer = UserFactory(username="fuzzing-reviewer", role="Reviewers")

    def setUp(self):
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def visitor(self) -> Client:
        """A fresh client for one example; a server error comes back as a response."""
        return Client(raise_request_exception=False)

    def assert_answered(self, response, url):
        assert response.status_code < 500, f"{url} answered {response.status_code}"

    def assert_whole_or_nothing(self, response, url, before, *, saved_when=(302,)):
        """No server error; a refusal changed nothing, and what was saved is valid."""
        self.assert_answered(response, url)
        after = table_counts()
        if response.status_code not in saved_when:
            assert after == before, f"{url} was refused but changed {diff(before, after)}"
            return
        for model in apps.get_app_config("tracker").get_models():
            for record in model.objects.all():
                if not model.__name__.startswith("Historical") and model.__name__ != "StatusChange":
                    record.full_clean()


class TestPublicAddresses(Fuzzing):
    @FUZZ
    @given(st.data())
    def test_no_query_to_a_public_page_fails(self, data):
        pages = {
            "/": ["status", "category", "party", "page", "tz"],
            "/commitments/pause/": [
                "claimant",
                "kind",
                "verification",
                "page",
                "per_page",
                "tz",
                "as_of",
            ],
            f"/as-of/{PAST_DAY}/": ["status", "category", "party", "page", "tz"],
            "/as-of/": ["date", "tz"],
            "/changes/": ["page", "tz"],
            "/agreements/call/": ["tz"],
            "/parties/russia/": ["tz"],
            "/embed/commitments/pause/": ["tz"],
            "/embed/commitments/pause/badge.svg": ["tz"],
            "/commitments/pause/card.png": ["tz"],
            "/card.png": ["tz"],
            "/search/": ["q", "kind", "page", "tz"],
            "/regions/": REGION_FILTERS,
            "/regions/UA-59/": [*REGION_FILTERS, "page"],
            "/regions/XX-99/": REGION_FILTERS,
        }
        url = data.draw(st.sampled_from(sorted(pages)))
        query = data.draw(with_garbage({}, pages[url]))

        response = self.visitor().get(f"{url}?{urlencode(query)}")

        self.assert_answered(response, url)

    @FUZZ
    @given(st.data())
    def test_no_day_asked_of_the_past_fails(self, data):
        day = data.draw(
            st.one_of(
                GARBAGE,
                st.dates(min_value=dt.date(1, 1, 1)).map(str),
                st.sampled_from(["2025-04-07", PAST_DAY, "2025-04-09", "2025-04-10"]),
            )
        )
        zone = data.draw(st.sampled_from(["", "UTC", "Pacific/Kiritimati", "Etc/GMT+12"]))
        url = data.draw(
            st.sampled_from(
                [
                    f"/as-of/{quote(day, safe='')}/?{urlencode({'tz': zone})}",
                    f"/as-of/?{urlencode({'date': day, 'tz': zone})}",
                    f"/commitments/pause/?{urlencode({'as_of': day, 'tz': zone})}",
                ]
            )
        )

        response = self.visitor().get(url)

        self.assert_answered(response, url)
        assert response.status_code in (200, 302, 400, 404), f"{url}: {response.status_code}"

    @FUZZ
    @given(st.sampled_from(PUBLIC_PAGES), GARBAGE)
    def test_any_zone_asked_for_still_gives_the_page(self, url, zone):
        joiner = "&" if "?" in url else "?"
        response = self.visitor().get(f"{url}{joiner}{urlencode({'tz': zone})}")

        assert response.status_code == 200, f"{url} with tz={zone!r}: {response.status_code}"
        page = response.content.decode()
        shown = re.search(r'<option value="([^"]*)" selected>', page)[1]
        assert shown == "UTC" or "is not a time zone we know" not in page

    @settings(FUZZ, max_examples=40 * SCALE)
    @given(st.data())
    def test_no_filter_on_the_api_fails(self, data):
        endpoint = data.draw(st.sampled_from([e for e in ENDPOINTS if not e.takes_slug]))
        names = [*endpoint.view.filterset_class.base_filters, "page", "page_size", "format"]
        query = data.draw(with_garbage({}, names))

        response = self.visitor().get(f"{endpoint.path}?{urlencode(query, doseq=True)}")

        self.assert_answered(response, endpoint.path)

    @settings(FUZZ, max_examples=40 * SCALE)
    @given(st.data())
    def test_no_filter_on_a_file_or_its_form_fails(self, data):
        table = data.draw(st.sampled_from(list(files.TABLES.values())))
        names = [*files.parameters(table)]
        query = data.draw(with_garbage({}, names))
        url = data.draw(st.sampled_from([f"/data/{table.filename}", "/data/"]))
        if url == "/data/":
            query = {**query, "file": table.name}

        response = self.visitor().get(f"{url}?{urlencode(query, doseq=True)}")

        self.assert_answered(response, url)
        if response.status_code == 200 and url != "/data/":
            b"".join(response.streaming_content)

    @settings(FUZZ, max_examples=30 * SCALE)
    @given(st.data())
    def test_no_search_fails_on_the_page_or_the_api(self, data):
        lists = [endpoint.path for endpoint in ENDPOINTS if not endpoint.takes_slug]
        url = data.draw(st.sampled_from(["/search/", *lists]))
        query = data.draw(SEARCHES)

        response = self.visitor().get(url, {"q": query})

        self.assert_answered(response, url)
        assert response.status_code in (200, 400), f"{url}?q={query!r}: {response.status_code}"

    @settings(FUZZ, max_examples=30 * SCALE)
    @given(st.data())
    def test_the_subscribe_form_refuses_garbage_and_saves_whole_subscriptions_only(self, data):
        valid = {
            "email": "reader@example.org",
            "scope": "commitment",
            "commitment": "pause",
            "category": "",
            "topics": "expiring",
            "lead_times": "7d, 24h",
        }
        posted = data.draw(with_garbage(valid, list(valid)))
        before = Subscription.objects.count()

        with override_settings(ALERTS_SUBSCRIBE_RATE="10000/m"):
            response = self.visitor().post("/alerts/subscribe/", posted)

        self.assert_answered(response, "/alerts/subscribe/")
        for subscription in Subscription.objects.all():
            subscription.full_clean()
        assert Subscription.objects.count() in (before, before + 1)


class TestAdminForms(Fuzzing):
    def visitor(self) -> Client:
        client = super().visitor()
        client.force_login(self.reviewer)
        return client

    def valid_add_forms(self) -> dict[str, dict]:
        day, time = "2025-04-01", "06:00"
        return {
            "party": {"name": "Türkiye", "slug": "turkiye", "kind": "state", "time_zone": "UTC"},
            "source": {"url": "https://example.org/readout", "accessed_on": day},
            "agreement": {"title": "Talks", "slug": "talks", "kind": "talks", "held_on": day},
            "commitment": {
                "agreement": self.agreement.pk,
                "title": "Exchange",
                "slug": "exchange",
                "category": "prisoners",
                "shape": "deliverable",
                "promised_quantity": "1000",
                "regions": ["UA-59", "RU-KRS"],
                **management_forms("roles", "readings"),
            },
            "reading": {
                "commitment": self.pause.pk,
                "label": "Kyiv's count",
                "time_zone": "Europe/Kyiv",
                "precision": "day",
                "starts_at_0": day,
                "starts_at_1": time,
                "duration_days": "30",
            },
            "complianceevent": {
                "commitment": self.pause.pk,
                "kind": "alleged_violation",
                "claimant": self.ukraine.pk,
                "accused": self.russia.pk,
                "occurred_at_0": day,
                "occurred_at_1": time,
                "precision": "minute",
                "summary": "Drones over Sloviansk",
                "region": "UA-14",
                "count": "3",
                "recorded_at_0": day,
                "recorded_at_1": time,
                **management_forms("quantities"),
            },
            "commitmentparty": {
                "commitment": self.pause.pk,
                "party": self.ukraine.pk,
                "role": "obligor",
            },
            "deliveredquantity": {
                "event": self.event.pk,
                "received_by": self.ukraine.pk,
                "quantity": "12",
                "unit": "people",
            },
        }

    @settings(FUZZ, max_examples=80 * SCALE)
    @given(st.data())
    def test_no_admin_add_form_fails_or_saves_half_a_record(self, data):
        forms = self.valid_add_forms()
        model = data.draw(st.sampled_from(sorted(forms)))
        valid = {**forms[model], "reason": "Reported by both sides"}
        posted = data.draw(with_garbage(valid, list(valid)))
        url = f"/admin/tracker/{model}/add/"
        before = table_counts()

        response = self.visitor().post(url, posted)

        self.assert_whole_or_nothing(response, url, before)

    @settings(FUZZ, max_examples=50 * SCALE)
    @given(st.data())
    def test_no_action_page_fails_or_changes_half_a_record(self, data):
        pages = {
            f"/admin/tracker/commitment/{self.pause.pk}/status/": {
                "to_status": "suspended",
                "effective_at_0": "2025-04-09",
                "effective_at_1": "10:00",
            },
            f"/admin/tracker/commitment/{self.pause.pk}/extend/": {
                "extra_days": "10",
                "new_end_0": "",
                "new_end_1": "",
            },
            f"/admin/tracker/complianceevent/{self.event.pk}/verify/": {
                "verification": "verified",
            },
            f"/admin/tracker/reading/{self.other_reading.pk}/publish/": {"publish": "0"},
            f"/admin/tracker/reading/{self.other_reading.pk}/make-working/": {},
        }
        url = data.draw(st.sampled_from(sorted(pages)))
        valid = {**pages[url], "reason": "Confirmed by the monitors"}
        posted = data.draw(with_garbage(valid, list(valid)))
        before = table_counts()

        response = self.visitor().post(url, posted)

        self.assert_whole_or_nothing(response, url, before)


JSON_GARBAGE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=False, allow_infinity=False),
        GARBAGE,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=8), children, max_size=3),
    ),
    max_leaves=6,
)


class TestStaffApi(Fuzzing):
    """Any JSON, sent with a reviewer's token, to every staff endpoint."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.key = Token.objects.create(user=cls.reviewer).key

    def send(self, method: str, url: str, body, authorization: str | None = None):
        authorization = f"Token {self.key}" if authorization is None else authorization
        with override_settings(STAFF_API_RATE="100000/min"):
            return getattr(self.visitor(), method)(
                url,
                json.dumps(body),
                content_type="application/json",
                HTTP_AUTHORIZATION=authorization,
            )

    def valid_bodies(self) -> dict[tuple[str, str], dict]:
        event = f"/api/staff/events/{self.event.pk}/"
        source = f"/api/staff/sources/{self.source.pk}/"
        reason = {"reason": "Reported by both sides"}
        return {
            ("post", "/api/staff/events/"): {
                "commitment": "pause",
                "kind": "delivery",
                "claimant": "ukraine",
                "occurred_at": "2025-04-01T06:00:00+03:00",
                "summary": "Drones over Sloviansk",
                "count": 3,
                "sources": [self.source.pk],
                "quantities": [{"received_by": "russia", "quantity": 12, "unit": "people"}],
                **reason,
            },
            ("patch", event): {"summary": "Drones", "region": "UA-14", **reason},
            ("post", f"{event}verify/"): {"verification": "verified", **reason},
            ("post", f"{event}publish/"): {"published": False, **reason},
            ("post", "/api/staff/sources/"): {
                "url": "https://example.org/readout",
                "published_on": "2025-04-01",
                **reason,
            },
            ("patch", source): {"title": "Readout", **reason},
        }

    @settings(FUZZ, max_examples=80 * SCALE)
    @given(st.data())
    def test_no_staff_endpoint_fails_or_writes_half_a_record(self, data):
        bodies = self.valid_bodies()
        method, url = data.draw(st.sampled_from(sorted(bodies)))
        valid = bodies[(method, url)]
        replaced = st.dictionaries(st.sampled_from(sorted(valid)), JSON_GARBAGE, max_size=3)
        stray = st.dictionaries(st.text(min_size=1, max_size=12), JSON_GARBAGE, max_size=1)
        body = data.draw(
            st.one_of(
                st.tuples(replaced, stray).map(lambda parts: {**valid, **parts[0], **parts[1]}),
                JSON_GARBAGE,
            )
        )
        before = table_counts()

        response = self.send(method, url, body)

        self.assert_whole_or_nothing(response, url, before, saved_when=(200, 201))

    def send_raw(self, method: str, url: str, body: bytes):
        with override_settings(STAFF_API_RATE="100000/min"):
            return getattr(self.visitor(), method)(
                url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {self.key}"
            )

    @settings(FUZZ, max_examples=40 * SCALE)
    @given(st.data())
    def test_no_staff_endpoint_fails_on_a_body_of_any_depth_or_shape(self, data):
        bodies = self.valid_bodies()
        method, url = data.draw(st.sampled_from(sorted(bodies)))
        depth = data.draw(st.integers(min_value=0, max_value=20_000))
        opening = data.draw(st.lists(st.sampled_from(["[", '{"a":', '{"":[']), min_size=1))
        nested = "".join(opening[n % len(opening)] for n in range(depth))
        closing = "".join({"[": "]", "{": "}"}[c] for c in nested if c in "[{")[::-1]
        field = data.draw(st.sampled_from(sorted(bodies[(method, url)])))
        valid = json.dumps(bodies[(method, url)])
        body = data.draw(
            st.one_of(
                st.just(nested + "1" + closing),
                st.just(nested),  # never closed
                st.just(valid.replace(f'"{field}": ', f'"{field}": {nested}1{closing}, "x": ', 1)),
                st.binary(max_size=300).map(lambda raw: raw.decode("latin-1")),
                st.integers(min_value=0, max_value=len(valid)).map(lambda cut: valid[:cut]),
            )
        )
        before = table_counts()

        response = self.send_raw(method, url, body.encode("utf-8", "surrogatepass"))

        self.assert_whole_or_nothing(response, url, before, saved_when=(200, 201))

    def test_reading_a_body_costs_memory_in_proportion_to_its_size_whatever_its_shape(self):
        """Measured where the body is read: the test client's own copies are not the server's.

        A claim, however long its texts, costs two or three times its size; the worst a
        body can do, half a megabyte of nothing but short texts between brackets, some
        fifty times, where a body decoded as it came cost a server error (or, were the
        recursion deep enough, the process).
        """
        n = MAX_BODY_BYTES
        bodies = {
            "nested far too deep": (b"[" * (n // 2) + b"]" * (n // 2), 4),
            "brackets in a text": (b'{"summary": "' + b"[" * (n - 20) + b'"}', 4),
            "one long text": (b'{"summary": "' + b"x" * (n - 20) + b'"}', 4),
            "escapes in a text": (b'{"summary": "' + b'\\"' * (n // 2 - 10) + b'"}', 4),
            "short texts, deep": ((b'"",[' * (n // 4))[:n], 64),
            "short texts, flat": (b"[" + b'"[",' * (n // 4 - 1) + b'""]', 64),
        }
        for shape, (body, times) in bodies.items():
            stream = io.BufferedReader(io.BytesIO(body))
            tracemalloc.start()
            try:
                with contextlib.suppress(ParseError):
                    BoundedJSONParser().parse(stream)
                _current, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()

            assert peak < times * len(body), f"{shape}: {len(body):,} bytes took {peak:,}"

    @FUZZ
    @given(authorization=st.one_of(GARBAGE, GARBAGE.map(lambda text: f"Token {text}")))
    def test_no_authorization_header_fails(self, authorization):
        before = table_counts()

        response = self.send("post", "/api/staff/sources/", {}, authorization)

        self.assert_answered(response, "/api/staff/sources/")
        assert response.status_code in (400, 401, 403)
        assert table_counts() == before


def management_forms(*prefixes: str) -> dict[str, str]:
    """What an inline formset with no rows posts."""
    fields = {}
    for prefix in prefixes:
        fields[f"{prefix}-TOTAL_FORMS"] = "0"
        fields[f"{prefix}-INITIAL_FORMS"] = "0"
    return fields


def diff(before: dict, after: dict) -> dict:
    return {
        table: (before[table], after[table]) for table in before if before[table] != after[table]
    }
