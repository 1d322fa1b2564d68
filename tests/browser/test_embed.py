"""The embeddable card and badge in a real browser, framed by another site."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.browser.support import accessibility_problems, save_screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def newsroom():
    """Another site, on another port of this machine, whose pages frame the tracker's.

    ``newsroom.publish(html)`` sets the page it serves and returns its address.
    """
    page = {"html": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = page["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def publish(html: str) -> str:
        page["html"] = html
        return f"http://127.0.0.1:{server.server_port}/live-blog"

    newsroom = SimpleNamespace(publish=publish)
    yield newsroom
    server.shutdown()


def newsroom_page(tab, newsroom, live_server, *frames: tuple[str, str]) -> str:
    """Open the other site's page framing the given addresses of the tracker; its address."""
    iframes = "".join(
        f'<iframe name="{name}" title="{name}" src="{live_server.url}{path}" '
        'width="420" height="320"></iframe>'
        for name, path in frames
    )
    address = newsroom.publish(
        '<!doctype html><html lang="en"><head><title>Live blog</title></head>'
        f"<body><main><h1>Live blog</h1>{iframes}</main></body></html>"
    )
    tab.goto(address)
    return address


def test_another_site_frames_the_card_and_its_link_opens_the_commitment_in_a_new_tab(
    page, site, live_server, newsroom, settings
):
    settings.SITE_URL = live_server.url
    address = newsroom_page(
        page, newsroom, live_server, ("card", "/embed/commitments/energy-pause/")
    )

    card = page.frame_locator("iframe[name=card]")
    expect(card.get_by_role("heading", level=1)).to_have_text(
        "Pause on strikes against energy infrastructure (opens in a new tab)"
    )
    expect(card.get_by_text("ends in 13 days 9 h")).to_be_visible()
    expect(
        card.get_by_text("Claimed by Russia against Ukraine: 2 alleged, 0 verified")
    ).to_be_visible()
    save_screenshot(page, "embed-in-another-site")

    with page.context.expect_page() as opened:
        card.get_by_role("link", name=re.compile(r"^Readings, all \d+ claims published")).click()
    commitment_page = opened.value
    commitment_page.wait_for_load_state()
    assert commitment_page.url == f"{live_server.url}/commitments/energy-pause/"
    assert page.url == address


def test_another_site_cannot_frame_any_other_page(open_tab, site, live_server, newsroom):
    page = open_tab()
    newsroom_page(
        page,
        newsroom,
        live_server,
        ("board", "/"),
        ("card", "/embed/commitments/energy-pause/"),
    )

    card = page.frame_locator("iframe[name=card]")
    expect(card.get_by_role("heading", level=1)).to_be_visible()
    # Chromium puts its own error page in a frame it refused to fill.
    assert page.frame(name="board").url.startswith("chrome-error://")
    refused = [v for v in open_tab.policy_violations if "frame-ancestors" in v]
    assert refused, "the browser did not say it refused to frame the board"
    # That refusal is the point of this test, not a fault of the page.
    open_tab.policy_violations[:] = [
        v for v in open_tab.policy_violations if "frame-ancestors" not in v
    ]


def test_the_card_on_its_own_has_no_serious_accessibility_problems(page, site):
    page.goto("/embed/commitments/energy-pause/")

    problems = accessibility_problems(page)

    assert not problems, "\n".join(problems)


def test_the_badge_is_an_image_with_its_status_in_words(page, site):
    page.goto("/commitments/energy-pause/")

    badge = page.get_by_role(
        "img",
        name="The badge as it looks now: Pause on strikes against energy infrastructure, in force",
    )
    expect(badge).to_be_visible()
    assert badge.evaluate("image => image.naturalWidth") > 100


def test_visitor_copies_the_card_snippet(open_tab, site):
    page = open_tab()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/commitments/energy-pause/")

    snippets = page.get_by_role("region", name="Put this commitment on your site")
    code = snippets.get_by_label("Card (an iframe)")
    expect(code).to_have_value(
        '<iframe src="http://127.0.0.1:8000/embed/commitments/energy-pause/" '
        'title="Pause on strikes against energy infrastructure" width="400" height="340" '
        'loading="lazy"></iframe>'
    )
    snippets.get_by_role("button", name="Copy").first.click()

    expect(snippets.get_by_role("status").first).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == code.input_value()
