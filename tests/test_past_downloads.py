"""The files, the API and the feeds give the record as published at the end of a past day.

``?as_of=YYYY-MM-DD`` on a download gives what the public was shown when that
day ended (``tests/as_of_support.py`` tells the history): each record as its
version then, published then and public today; withdrawn since, left out;
corrected since, as it read then. Filters narrow by the values then.
"""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from frictionless import Resource, Schema

from tests.as_of_support import KHERSON, NOW, SLOVIANSK, WITHDRAWN_CLAIM, get, weeks_of_history
from tracker import services
from tracker.opendata.files import TABLES


@pytest.fixture
def history(db):
    return weeks_of_history()


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def by_summary(found: list[dict]) -> dict[str, dict]:
    return {row["summary"]: row for row in found}


# The files --------------------------------------------------------------------------------


def test_the_claims_file_of_a_day_holds_the_claims_published_by_its_end(client, history):
    found = by_summary(rows(get(client, "/data/events.csv?as_of=2025-03-26")))

    assert set(found) == {SLOVIANSK, KHERSON}


def test_a_claim_withdrawn_since_is_left_out_of_every_past_file(client, history):
    found = by_summary(rows(get(client, "/data/events.csv?as_of=2025-03-21")))

    assert WITHDRAWN_CLAIM not in found
    assert set(found) == {SLOVIANSK}


def test_a_claim_verified_later_is_given_as_it_stood_then(client, history):
    then = by_summary(rows(get(client, "/data/events.csv?as_of=2025-03-26")))
    today = by_summary(rows(get(client, "/data/events.csv")))

    assert then[SLOVIANSK]["verification"] == "unverified"
    assert today[SLOVIANSK]["verification"] == "verified"


def test_a_day_before_the_claims_were_published_has_none(client, history):
    assert rows(get(client, "/data/events.csv?as_of=2025-03-19")) == []


def test_the_commitments_file_gives_the_status_and_window_of_the_day(client, history):
    [then] = rows(get(client, "/data/commitments.csv?as_of=2025-03-26"))
    [before] = rows(get(client, "/data/commitments.csv?as_of=2025-03-19"))
    [today] = rows(get(client, "/data/commitments.csv"))

    assert (before["status"], then["status"]) == ("in_force", "suspended")
    assert then["working_ends_at"] == "2025-04-17T00:00:00Z"
    assert today["working_ends_at"] == "2025-04-30T00:00:00Z"
    assert then["events"] == "2"  # the claim withdrawn since is not counted
    assert then["obligors"] == "russia; ukraine"


def test_the_readings_file_gives_each_reading_as_it_read_then(client, history):
    [then] = rows(get(client, "/data/readings.csv?as_of=2025-03-26"))

    assert then["ends_at"] == "2025-04-17T00:00:00Z"


def test_the_agreements_and_parties_files_hold_what_was_public_then(client, history):
    agreements = rows(get(client, "/data/agreements.csv?as_of=2025-03-19"))
    parties = rows(get(client, "/data/parties.csv?as_of=2025-03-19"))

    assert [a["slug"] for a in agreements] == ["call"]
    assert sorted(p["slug"] for p in parties) == ["russia", "ukraine"]


def test_filters_narrow_a_past_file_by_the_values_then(client, history):
    by_russia = rows(get(client, "/data/events.csv?as_of=2025-03-26&claimant=russia"))
    unverified = rows(get(client, "/data/events.csv?as_of=2025-03-26&verification=unverified"))
    suspended = rows(get(client, "/data/commitments.csv?as_of=2025-03-26&status=suspended"))
    in_force = rows(get(client, "/data/commitments.csv?as_of=2025-03-26&status=in_force"))
    by_party = rows(get(client, "/data/commitments.csv?as_of=2025-03-26&party=russia"))
    ending = rows(get(client, "/data/commitments.csv?as_of=2025-03-26&ends_before=2025-04-20"))

    assert [row["summary"] for row in by_russia] == [KHERSON]
    assert {row["summary"] for row in unverified} == {SLOVIANSK, KHERSON}
    assert [row["slug"] for row in suspended] == ["energy-pause"]
    assert in_force == []
    assert [row["slug"] for row in by_party] == ["energy-pause"]
    assert [row["slug"] for row in ending] == ["energy-pause"]


def test_a_past_file_takes_the_hxl_row_too(client, history):
    response = get(client, "/data/events.csv?as_of=2025-03-26&hxl=1")

    hashtags, *claims = rows(response)
    assert hashtags["id"] == "#event+id"
    assert len(claims) == 2


def test_the_day_ends_on_the_readers_clock_when_a_zone_is_given(client, history):
    # The pause was suspended at 12:00 UTC on 25 March: 02:00 on the 26th at UTC+14.
    [in_utc] = rows(get(client, "/data/commitments.csv?as_of=2025-03-25"))
    [far_east] = rows(get(client, "/data/commitments.csv?as_of=2025-03-25&tz=Pacific/Kiritimati"))

    assert (in_utc["status"], far_east["status"]) == ("suspended", "in_force")


@pytest.mark.parametrize("file", ["sources", "deletions"])
def test_a_file_about_today_alone_refuses_a_past_day_naming_those_that_take_one(
    client, history, file
):
    response = get(client, f"/data/{file}.csv?as_of=2025-03-26")

    assert response.status_code == 400
    [message] = response.json()["as_of"]
    assert f"{file}.csv is not offered as of a past day" in message
    assert "events.csv" in message


# The API ----------------------------------------------------------------------------------


def test_the_api_lists_the_claims_of_a_day_as_they_stood(client, history):
    found = get(client, "/api/events/?as_of=2025-03-26").json()

    by_text = {event["summary"]: event for event in found["results"]}
    assert set(by_text) == {SLOVIANSK, KHERSON}
    assert by_text[SLOVIANSK]["verification"] == "unverified"
    assert by_text[SLOVIANSK]["commitment"] == "energy-pause"


def test_the_api_gives_a_commitment_as_published_at_a_days_end(client, history):
    then = get(client, "/api/commitments/energy-pause/?as_of=2025-03-26").json()

    assert then["status"] == "suspended"
    assert then["working_window"]["ends_at"] == "2025-04-17T00:00:00Z"
    assert [r["ends_at"] for r in then["readings"]] == ["2025-04-17T00:00:00Z"]
    assert [c["to_status"] for c in then["status_history"]] == ["suspended"]
    assert then["compliance"]["events"] == 2
    assert [p["party"] for p in then["parties"]] == ["russia", "ukraine"]


def test_the_api_lists_of_a_day_take_the_filters(client, history):
    commitments = get(client, "/api/commitments/?as_of=2025-03-19&status=in_force").json()
    agreements = get(client, "/api/agreements/?as_of=2025-03-19&held_after=2025-03-01").json()
    parties = get(client, "/api/parties/?as_of=2025-03-19").json()
    readings = get(client, "/api/readings/?as_of=2025-03-19&working=true").json()

    assert [c["slug"] for c in commitments["results"]] == ["energy-pause"]
    assert [a["commitments"] for a in agreements["results"]] == [["energy-pause"]]
    assert sorted(p["slug"] for p in parties["results"]) == ["russia", "ukraine"]
    assert [r["ends_at"] for r in readings["results"]] == ["2025-04-17T00:00:00Z"]


def test_a_commitment_not_yet_public_on_the_day_is_not_found_in_the_api(client, history):
    response = get(client, "/api/commitments/energy-pause/?as_of=2025-03-17")

    # 17 March is before the first publication: the day itself is refused.
    assert response.status_code == 400
    assert "2025-03-18" in response.json()["as_of"][0]


def test_a_search_does_not_combine_with_a_past_day(client, history):
    response = get(client, "/api/events/?as_of=2025-03-26&q=strike")

    assert response.status_code == 400
    assert "q" in response.json()


# The feeds --------------------------------------------------------------------------------


def test_a_commitments_feed_of_a_day_holds_what_was_recorded_by_its_end(client, history):
    then = get(client, "/commitments/energy-pause/feed/?as_of=2025-03-21").content.decode()
    today = get(client, "/commitments/energy-pause/feed/").content.decode()

    assert SLOVIANSK in then and SLOVIANSK in today
    assert "Status:" not in then and "Status:" in today
    assert KHERSON not in then
    assert WITHDRAWN_CLAIM not in then


def test_the_changes_feed_of_a_day_ends_with_that_day(client, history):
    then = get(client, "/changes/feed/?as_of=2025-03-19").content.decode()
    today = get(client, "/changes/feed/").content.decode()

    assert "Imagery checked" in today
    assert "Imagery checked" not in then
    assert "<entry>" in then


# Bad input --------------------------------------------------------------------------------

DOWNLOADS = [
    "/data/events.csv",
    "/data/commitments.csv",
    "/data/readings.csv",
    "/data/agreements.csv",
    "/data/parties.csv",
    "/api/events/",
    "/api/commitments/",
    "/api/commitments/energy-pause/",
    "/api/readings/",
    "/api/agreements/",
    "/api/parties/",
]
FEEDS = ["/changes/feed/", "/commitments/energy-pause/feed/"]

BAD_DAYS = {
    "impossible": "as_of=2025-02-30",
    "a word": "as_of=yesterday",
    "junk": "as_of=" + "x" * 10_000,
    "today": "as_of=2025-04-10",
    "in the future": "as_of=2031-01-01",
    "before the first publication": "as_of=2025-03-17",
    "given twice": "as_of=2025-03-26&as_of=2025-03-27",
    "empty": "as_of=",
}
RANGE = "from 2025-03-18 to 2025-04-09"


@pytest.mark.parametrize("query", BAD_DAYS.values(), ids=BAD_DAYS.keys())
def test_a_day_a_download_cannot_give_is_a_400_naming_the_days_there_are(client, history, query):
    for url in DOWNLOADS:
        response = get(client, f"{url}?{query}")

        assert response.status_code == 400, url
        assert RANGE in " ".join(response.json()["as_of"]), url


@pytest.mark.parametrize("query", BAD_DAYS.values(), ids=BAD_DAYS.keys())
def test_a_day_a_feed_cannot_give_is_a_400_in_words(client, history, query):
    for url in FEEDS:
        response = get(client, f"{url}?{query}")

        assert response.status_code == 400, url
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert RANGE in response.content.decode(), url


def test_known_now_is_refused_on_every_download_saying_what_to_do_instead(client, history):
    for url in [*DOWNLOADS, *FEEDS]:
        response = get(client, f"{url}?as_of=2025-03-26&known=now")

        assert response.status_code == 400, url
        assert "occurred_before" in response.content.decode(), url


def test_a_fresh_install_says_there_is_no_past_yet(client, db):
    response = get(client, "/data/events.csv?as_of=2025-03-26")

    assert response.status_code == 400
    assert "no past record to download yet" in response.json()["as_of"][0]


# Validators -------------------------------------------------------------------------------


def test_a_past_download_is_validated_by_the_version_and_the_day_not_the_minute(client, history):
    past = get(client, "/data/events.csv?as_of=2025-03-26")
    a_minute_later = get(client, "/data/events.csv?as_of=2025-03-26", now=NOW.replace(minute=5))
    another_day = get(client, "/data/events.csv?as_of=2025-03-27")
    today = get(client, "/data/events.csv")

    assert past["ETag"] == a_minute_later["ETag"]
    assert len({past["ETag"], another_day["ETag"], today["ETag"]}) == 3
    revalidated = get(
        client, "/data/events.csv?as_of=2025-03-26", **{"If-None-Match": past["ETag"]}
    )
    assert revalidated.status_code == 304


def test_a_withdrawal_made_today_gives_a_past_download_a_new_validator(client, history):
    before = get(client, "/data/events.csv?as_of=2025-03-26")
    with time_machine.travel(NOW, tick=False):
        services.unpublish(history.kherson, actor=history.reviewer, reason="Source retracted")

    after = get(client, "/data/events.csv?as_of=2025-03-26", **{"If-None-Match": before["ETag"]})

    assert after.status_code == 200
    assert KHERSON not in by_summary(rows(after))


# The data package -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["commitments", "readings", "events", "agreements", "parties"])
def test_a_past_file_keeps_its_table_schema_by_frictionless(client, history, tmp_path, name):
    response = get(client, f"/data/{name}.csv?as_of=2025-03-26")
    path = tmp_path / f"{name}.csv"
    path.write_bytes(b"".join(response.streaming_content))
    schema = TABLES[name].schema()
    schema.pop("foreignKeys", None)  # other files: checked together in tests/test_datapackage.py
    described = Schema.from_descriptor(schema)
    resource = Resource(path=path.name, basepath=str(tmp_path), schema=described)

    report = resource.validate()

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
