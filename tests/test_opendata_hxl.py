"""HXL: ?hxl=1 on every file adds the row of hashtags, read back by libhxl as HDX tools read it."""

import csv
import io

import hxl
import pytest

from tests.opendata_support import NEWER_COPY, build_record, keep_copies
from tracker.opendata import files


@pytest.fixture
def record(db):
    built = build_record()
    keep_copies(built["strike"].sources.order_by("pk").first())
    return built


def hxl_data(response):
    assert response.status_code == 200, response.content
    # Cached, so the rows can be read more than once.
    return hxl.data(io.BytesIO(b"".join(response.streaming_content))).cache()


@pytest.mark.parametrize("name", list(files.TABLES))
def test_every_file_gives_every_column_its_hashtag_under_the_header(client, record, name):
    table = files.TABLES[name]
    text = b"".join(client.get(f"/data/{table.filename}?hxl=1").streaming_content).decode()
    header, hashtags, *_rows = csv.reader(io.StringIO(text))

    assert header == table.header()
    assert hashtags == table.hxl_row()
    assert all(hashtags)
    source = hxl.data(io.BytesIO(text.encode()))
    assert [column.display_tag for column in source.columns] == hashtags
    assert [column.header for column in source.columns] == header


def test_libhxl_finds_the_conflict_event_tags_hdx_uses(client, record):
    events = hxl_data(client.get("/data/events.csv?hxl=1"))
    tags = [column.display_tag for column in events.columns]

    for pattern in (
        "#date",
        "#adm1+code",
        "#actor+claimant",
        "#actor+accused",
        "#event+type",
        "#status+verification",
        "#meta+source",
        "#description+i_en",
        "#description+i_uk",
    ):
        assert any(hxl.TagPattern.parse(pattern).match(c) for c in events.columns), pattern
    assert len(tags) == len(set(tags)), "each hashtag names one column"


def test_libhxl_filters_the_claims_by_their_hashtags(client, record):
    events = hxl_data(client.get("/data/events.csv?hxl=1"))

    by_russia = list(events.with_rows("#actor+claimant=russia"))
    in_kursk = list(events.with_rows("#adm1+code=RU-KRS"))

    assert len(by_russia) == 2
    assert [row.get("#description+i_en") for row in in_kursk] == [
        "Strike on the Sudzha gas metering station"
    ]
    assert in_kursk[0].get("#status+verification") == "unverified"
    assert in_kursk[0].get("#date+occurred") == "2025-03-20T10:15:30.250000Z"


def test_a_filtered_file_with_hxl_keeps_the_filter_and_the_hashtags(client, record):
    events = hxl_data(client.get("/data/events.csv?verification=verified&hxl=1"))

    assert [row.get("#event+type") for row in events] == ["delivery"]


def test_without_hxl_there_is_no_hashtag_row(client, record):
    for query in ("", "?hxl=0"):
        text = b"".join(client.get(f"/data/events.csv{query}").streaming_content).decode()
        assert "#event+type" not in text


def test_libhxl_finds_the_sources_gone_or_changed_and_their_copies_hash(client, record):
    sources = hxl_data(client.get("/data/sources.csv?hxl=1"))

    changed = list(sources.with_rows("#status+link=changed"))
    assert [row.get("#meta+capture+sha256") for row in changed] == [NEWER_COPY]
    assert changed[0].get("#date+captured") == "2025-04-02T06:00:00Z"
    assert len(list(sources.with_rows("#status+link=unchecked"))) == 2
    tags = [column.display_tag for column in sources.columns]
    assert len(tags) == len(set(tags)), "each hashtag names one column"
