"""The site's icon: /favicon.ico answers on every site, and pages name their icons."""

import io

from PIL import Image


def test_the_favicon_is_an_icon_at_the_root(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    icon = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32), (48, 48)} <= icon.info["sizes"]


def test_every_page_names_its_icons(client, db):
    page = client.get("/").content.decode()

    assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in page
    assert 'type="image/svg+xml"' in page
