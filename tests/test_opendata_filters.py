"""Filtered files: the CSV files take the API's filters, by the same names, and refuse bad input.

A journalist who wants the claims of one commitment, one region or one month
gets exactly those, from the file's address or from the form on /data/, and
a filter the file cannot honour is a 400 naming it, never a silently
unfiltered or empty file.
"""

import csv
import io
from urllib.parse import urlencode

import pytest

from tests.opendata_support import build_record
from tracker.opendata import files


@pytest.fixture
def record(db):
    return build_record()


def rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def ids(response) -> set[int]:
    return {int(row["id"]) for row in rows(response)}


def api_ids(client, path: str, query: dict) -> set[int]:
    response = client.get(f"/api/{path}/?{urlencode({**query, 'page_size': 200}, doseq=True)}")
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


EVENT_FILTERS = [
    {"commitment": "energy-pause"},
    {"agreement": "riyadh-talks"},
    {"claimant": "russia"},
    {"accused": "russia"},
    {"party": "russia"},
    {"region": "RU-KRS"},
    {"kind": ["statement", "delivery"]},
    {"verification": "verified"},
    {"occurred_after": "2025-03-20", "occurred_before": "2025-03-21"},
    {"party": "ukraine", "region": "UA-59", "kind": "statement"},
]


@pytest.mark.parametrize("query", EVENT_FILTERS)
def test_the_events_file_and_the_api_keep_the_same_claims_for_the_same_filters(
    client, record, query
):
    from_file = ids(client.get(f"/data/events.csv?{urlencode(query, doseq=True)}"))

    assert from_file, f"{query} should keep some claims in this record"
    assert from_file == api_ids(client, "events", query)
    assert from_file < ids(client.get("/data/events.csv"))


def test_a_claim_is_kept_by_party_whichever_side_the_party_is_on(client, record):
    kept = rows(client.get("/data/events.csv?party=russia"))

    assert sorted((row["claimant"], row["accused"]) for row in kept) == [
        ("", "russia"),
        ("russia", "ukraine"),
        ("russia", "ukraine"),
    ]


def test_one_month_of_claims_is_the_claims_of_that_month(client, record):
    kept = rows(client.get("/data/events.csv?occurred_after=2025-03-20&occurred_before=2025-04-01"))

    assert [row["summary"] for row in kept] == ["Strike on the Sudzha gas metering station"]


def test_commitments_are_kept_by_the_regions_they_cover(client, record):
    assert [row["slug"] for row in rows(client.get("/data/commitments.csv?region=RU-KRS"))] == [
        "energy-pause"
    ]
    assert rows(client.get("/data/commitments.csv?region=RU-BEL")) == []


def test_every_file_takes_the_filters_of_the_api_list_of_the_same_records(db):
    for name, table in files.TABLES.items():
        # The API has no list of these: withdrawals are a file's, and sources come
        # inside the records that cite them.
        if name in ("deletions", "sources"):
            continue
        from tracker.opendata.api import views

        api_view = {
            "commitments": views.CommitmentList,
            "readings": views.ReadingList,
            "events": views.EventList,
            "agreements": views.AgreementList,
            "parties": views.PartyList,
        }[name]
        api_filters = set(api_view.filterset_class.base_filters) - {"q"}
        assert set(table.filters.base_filters) == api_filters, name


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("commitment=no-such-thing", "commitment"),
        ("commitment=hidden", "commitment"),
        ("claimant=nobody", "claimant"),
        ("region=UA-99", "region"),
        ("kind=rumour", "kind"),
        ("verification=maybe", "verification"),
        ("occurred_after=yesterday", "occurred_after"),
        ("occurred_after=2025-04-01&occurred_before=2025-03-01", "occurred_after"),
        ("occurred_after=2025-04-01&occurred_before=2025-04-01", "occurred_after"),
        ("colour=red", "colour"),
        ("region=", "region"),
        ("hxl=yes", "hxl"),
        ("hxl=", "hxl"),
        ("hxl=2", "hxl"),
        ("q=strike", "q"),
    ],
)
def test_a_bad_filter_on_a_file_is_a_400_naming_it(client, record, query, parameter):
    response = client.get(f"/data/events.csv?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [parameter]
    assert "ETag" not in response


def test_the_same_bad_filter_is_refused_by_the_api_with_the_same_name(client, record):
    for query in ("region=UA-99", "occurred_after=2025-04-01&occurred_before=2025-03-01"):
        file_errors = client.get(f"/data/events.csv?{query}").json()
        api_errors = client.get(f"/api/events/?{query}").json()
        assert list(file_errors) == list(api_errors)


@pytest.mark.parametrize(
    "query", ["withdrawn_after=never", "file=sources", "file=", "commitment=energy-pause"]
)
def test_the_deletions_file_refuses_bad_filters_too(client, record, query):
    response = client.get(f"/data/deletions.csv?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [query.split("=")[0]]


def test_a_filtered_file_is_still_streamed_from_one_query(
    client, record, django_assert_max_num_queries
):
    # The version lookup, the filter's slug, then the rows: never a query per row.
    with django_assert_max_num_queries(6):
        response = client.get("/data/events.csv?commitment=energy-pause&party=russia")
        assert response.streaming
        b"".join(response.streaming_content)


def test_the_data_page_builds_the_link_of_a_filtered_file_without_script(client, record):
    response = client.get(
        "/data/?file=events&commitment=energy-pause&claimant=&region=RU-KRS&kind=statement"
        "&kind=alleged_violation&occurred_after=&hxl=1"
    )

    assert response.status_code == 200
    page = response.content.decode()
    link = (
        "/data/events.csv?commitment=energy-pause&amp;kind=statement&amp;kind=alleged_violation"
        "&amp;region=RU-KRS&amp;hxl=1"
    )
    assert f'<a href="{link}" download>' in page
    assert '<details class="download" open>' in page
    built = client.get(link.replace("&amp;", "&"))
    assert [row["summary"] for row in rows(built)[1:]] == [
        "Strike on the Sudzha gas metering station"
    ]


def test_the_data_page_shows_a_refused_filter_beside_its_field(client, record):
    response = client.get("/data/?file=events&commitment=no-such-thing")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert "/data/events.csv?commitment=no-such-thing" not in page


def test_the_data_page_documents_every_file_filter_and_hashtag(client, db):
    page = client.get("/data/").content.decode()

    for table in files.TABLES.values():
        assert f'id="csv-{table.name}"' in page
        for name in files.parameters(table):
            assert f"<code>{name}</code>" in page
        for column in table.columns:
            assert f"<code>{column.name}</code>" in page
            assert f"<code>{column.hxl}</code>" in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Filter events.csv and download it", "HXL hashtag", "Make the link"]),
        ("uk", ["Відфільтрувати events.csv і завантажити", "Хештег HXL", "Скласти посилання"]),
        ("ru", ["Отфильтровать events.csv и скачать", "Хештег HXL", "Составить ссылку"]),
    ],
)
def test_the_data_page_documents_the_files_filters_and_tags_in_each_language(
    client, db, language, words
):
    page = client.get("/data/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    for word in words:
        assert word in page
    if language != "en":
        assert "Identifier of the event, which never changes." not in page
        assert "Give 1 to add" not in page


def test_the_data_page_costs_a_few_queries_whatever_its_forms(
    client, record, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        assert client.get("/data/").status_code == 200
