"""A real browser against the live server.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, installed by
``make test``); it never downloads a browser of its own. Every test here runs
against pytest-django's ``live_server`` with a small, demo-like set of
published records, at a fixed moment, and can leave screenshots in
``artifacts/`` for a person to look at; a failing test leaves one of every
tab it had open.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import sync_playwright

from tests.browser.support import save_screenshot
from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker.models import (
    Category,
    CommitmentParty,
    DeliveredQuantity,
    EventKind,
    Verification,
)

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Mid-April 2025: the energy pause is running by Ukraine's count and has
# claims against it; the first exchange has been carried out.
NOW = dt.datetime(2025, 4, 10, 12, 0, tzinfo=dt.UTC)
UTC = dt.UTC


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run; each test gets a fresh context."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    # Playwright's sync API keeps an event loop in this thread, and Django
    # refuses database calls from a thread with a running loop. The loop only
    # waits on the browser here, so the calls are safe.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def is_policy_violation(message) -> bool:
    """Chromium reports what the Content-Security-Policy refused as a console error."""
    return message.type == "error" and "Content Security Policy" in message.text


@pytest.fixture
def open_tab(browser, live_server, frozen_now):
    """Open fresh tabs with no cookies, whose browser asks for the given language.

    ``javascript=False`` opens a tab whose browser runs no script at all.

    Any Content-Security-Policy violation a tab reports fails the test: the
    pages must work with no inline script or style at all.
    """
    contexts = []
    violations: list[str] = []

    def open_tab(language: str = "en-GB", *, javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 1280, "height": 900},
            locale=language,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on(
            "console",
            lambda message: (
                violations.append(f"{tab.url}: {message.text}")
                if is_policy_violation(message)
                else None
            ),
        )
        return tab

    open_tab.contexts = contexts
    open_tab.policy_violations = violations
    yield open_tab
    for context in contexts:
        context.close()
    assert violations == [], "the Content-Security-Policy refused something"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, keep a picture of every tab it had open."""
    report = yield
    opener = item.funcargs.get("open_tab") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and opener is not None:
        name = re.sub(r"[^\w.-]+", "-", item.name)
        for number, context in enumerate(opener.contexts):
            for tab in context.pages:
                save_screenshot(tab, f"failed-{name}-{number}")
    return report


@pytest.fixture
def page(open_tab):
    """A fresh tab of a browser set to British English."""
    return open_tab()


@pytest.fixture
def site(transactional_db):
    """Two occasions, three commitments and the claims around them, all published.

    The text is English, as the records were written; the interface around
    it is what changes with the language.
    """
    russia = PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")
    united_states = PartyFactory(
        name="United States", slug="united-states", time_zone="America/New_York"
    )
    uae = PartyFactory(name="United Arab Emirates", slug="uae", time_zone="Asia/Dubai")

    call = AgreementFactory(
        title="US–Russia phone call",
        slug="call-2025-03-18",
        kind="call",
        held_on=dt.date(2025, 3, 18),
        summary="A mutual refusal to strike energy infrastructure for 30 days.",
    )
    call.parties.set([russia, united_states])
    pause = CommitmentFactory(
        agreement=call,
        title="Pause on strikes against energy infrastructure",
        slug="energy-pause",
        category=Category.ENERGY,
        shape="window",
        status="in_force",
        terms="Neither side strikes the other's energy infrastructure for 30 days.",
    )
    for party in (russia, ukraine):
        CommitmentPartyFactory(commitment=pause, party=party, role=CommitmentParty.Role.OBLIGOR)
    CommitmentPartyFactory(
        commitment=pause, party=united_states, role=CommitmentParty.Role.MEDIATOR
    )
    ReadingFactory(
        commitment=pause,
        label="Ukraine's count",
        read_by=ukraine,
        is_working=True,
        starts_at=dt.datetime(2025, 3, 24, 22, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 23, 21, tzinfo=UTC),
        time_zone="Europe/Kyiv",
        wording="Thirty days from the White House statements of 25 March.",
    )
    ReadingFactory(
        commitment=pause,
        label="Kremlin's count",
        read_by=russia,
        is_working=False,
        starts_at=dt.datetime(2025, 3, 17, 21, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 16, 21, tzinfo=UTC),
        time_zone="Europe/Moscow",
        wording="Thirty days from 18 March.",
    )
    claim = ComplianceEventFactory(
        commitment=pause,
        kind=EventKind.ALLEGED_VIOLATION,
        claimant=russia,
        accused=ukraine,
        occurred_at=dt.datetime(2025, 3, 28, 6, tzinfo=UTC),
        summary="Rockets hit the Sudzha gas metering station.",
        region="RU-KRS",
        verification=Verification.DISPUTED,
    )
    claim.sources.add(SourceFactory(url="https://news.example.org/sudzha", title="Sudzha"))
    ComplianceEventFactory(
        commitment=pause,
        kind=EventKind.STATEMENT,
        claimant=ukraine,
        accused=None,
        occurred_at=dt.datetime(2025, 3, 28, 12, tzinfo=UTC),
        summary="Ukraine denies the Sudzha strike.",
        in_response_to=claim,
    )
    ComplianceEventFactory(
        commitment=pause,
        kind=EventKind.ALLEGED_VIOLATION,
        claimant=ukraine,
        accused=russia,
        occurred_at=dt.datetime(2025, 3, 19, 1, tzinfo=UTC),
        summary="Drones hit power supply in Sloviansk.",
        region="UA-14",
    )
    ComplianceEventFactory(
        commitment=pause,
        kind=EventKind.ALLEGED_VIOLATION,
        claimant=russia,
        accused=ukraine,
        occurred_at=dt.datetime(2025, 4, 5, 9, tzinfo=UTC),
        summary="Fourteen attacks on energy sites in 24 hours.",
        count=14,
    )

    black_sea = CommitmentFactory(
        agreement=call,
        title="Safe navigation in the Black Sea",
        slug="black-sea",
        category=Category.MARITIME,
        shape="process",
        status="announced",
        conditions="Takes effect only after sanctions on food-trade banks are lifted.",
    )
    CommitmentPartyFactory(commitment=black_sea, party=russia, role=CommitmentParty.Role.OBLIGOR)

    exchange_day = AgreementFactory(
        title="Exchange of prisoners of war",
        slug="exchange-2025-03-19",
        kind="statement",
        held_on=dt.date(2025, 3, 19),
    )
    exchange_day.parties.set([russia, ukraine, uae])
    exchange = CommitmentFactory(
        agreement=exchange_day,
        title="Exchange 175 prisoners for 175",
        slug="exchange-175",
        category=Category.PRISONERS,
        shape="deliverable",
        status="fulfilled",
        promised_quantity=175,
        promised_unit="people",
    )
    for party in (russia, ukraine):
        CommitmentPartyFactory(commitment=exchange, party=party, role=CommitmentParty.Role.OBLIGOR)
    CommitmentPartyFactory(commitment=exchange, party=uae, role=CommitmentParty.Role.MEDIATOR)
    delivery = ComplianceEventFactory(
        commitment=exchange,
        kind=EventKind.DELIVERY,
        claimant=ukraine,
        accused=None,
        occurred_at=dt.datetime(2025, 3, 19, 10, tzinfo=UTC),
        summary="175 prisoners returned to each side.",
        verification=Verification.VERIFIED,
    )
    DeliveredQuantity.objects.create(event=delivery, received_by=ukraine, quantity=175)
    DeliveredQuantity.objects.create(event=delivery, received_by=russia, quantity=175)

    return {"pause": pause, "black_sea": black_sea, "exchange": exchange, "call": call}
