"""Public responses are compressed for clients that accept it; the admin never is.

The board is about 53 kB of HTML and a fifth of that compressed, which matters
on a slow phone. Compression must not break conditional GETs or shared caches.
"""

import gzip

import brotli
import pytest

from tests.opendata_support import build_record

PUBLIC = ["/", "/data/", "/data/events.csv", "/api/events/", "/changes/feed/", "/calendar.ics"]


@pytest.fixture
def record(db):
    return build_record()


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("address", PUBLIC)
@pytest.mark.parametrize(
    ("encoding", "decompress"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_public_responses_are_compressed_when_the_client_accepts_it(
    client, record, address, encoding, decompress
):
    plain = client.get(address)
    compressed = client.get(address, HTTP_ACCEPT_ENCODING=encoding)

    assert compressed.status_code == 200
    assert compressed["Content-Encoding"] == encoding
    assert "Accept-Encoding" in compressed["Vary"]
    assert decompress(body(compressed)) == body(plain)


def test_the_board_is_a_fraction_of_its_size_compressed(client, record):
    plain = body(client.get("/"))
    compressed = body(client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br"))

    assert len(compressed) < len(plain) / 3


def test_a_streamed_file_is_compressed_as_it_streams(client, record):
    response = client.get("/data/events.csv?hxl=1", HTTP_ACCEPT_ENCODING="gzip")

    assert response.streaming
    assert "Content-Length" not in response
    assert gzip.decompress(body(response)).decode().splitlines()[1].startswith("#event+id,")


def test_without_accept_encoding_nothing_is_compressed_but_caches_are_told(client, record):
    response = client.get("/")

    assert "Content-Encoding" not in response
    assert "Accept-Encoding" in response["Vary"]


def test_conditional_gets_still_work_through_compression(client, record):
    first = client.get("/api/events/", HTTP_ACCEPT_ENCODING="br")
    etag = first["ETag"]

    again = client.get("/api/events/", HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=etag)
    plain = client.get("/api/events/", HTTP_IF_NONE_MATCH=etag)

    assert etag.startswith('W/"')
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert "Accept-Encoding" in again["Vary"]
    assert plain.status_code == 304


def test_the_admin_is_never_compressed(client, record, reviewer):
    client.force_login(reviewer)
    for address in ("/admin/", "/admin/tracker/complianceevent/", "/admin/login/"):
        response = client.get(address, HTTP_ACCEPT_ENCODING="gzip, br")
        assert "Content-Encoding" not in response, address


def test_responses_a_shared_cache_may_not_keep_are_never_compressed(client, record):
    # The subscription pages answer one reader (and its confirmation a signed token).
    response = client.get("/alerts/subscribe/", HTTP_ACCEPT_ENCODING="gzip, br")

    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")
    assert "Content-Encoding" not in response


def test_images_are_left_as_they_are(client, record):
    response = client.get("/commitments/energy-pause/card.png", HTTP_ACCEPT_ENCODING="gzip, br")

    assert response.status_code == 200
    assert "Content-Encoding" not in response
