"""Looking rows up by a list named in one parameter: the rows ``__in`` finds, in one statement
whatever the list's length, read along the indexes."""

import datetime as dt

import pytest
from django.db import connection

from tests.factories import CommitmentFactory, ComplianceEventFactory, SourceFactory
from tracker.any_of import AnyOf
from tracker.models import ComplianceEvent, Source

UTC = dt.UTC

pytestmark = pytest.mark.django_db


class StatementsSeen:
    """The statements sent to the database, as written before any value is put in."""

    def __init__(self):
        self.texts = []

    def __call__(self, execute, sql, params, many, context):
        self.texts.append(sql)
        return execute(sql, params, many, context)


@pytest.fixture
def claims():
    """Claims on two commitments, on three days of April 2025."""
    first, second = CommitmentFactory(), CommitmentFactory()
    made = []
    for commitment in (first, second):
        for day in (1, 2, 3):
            made.append(
                ComplianceEventFactory(
                    commitment=commitment, occurred_at=dt.datetime(2025, 4, day, 6, tzinfo=UTC)
                )
            )
    return made


def test_rows_are_found_by_their_ids_as_an_in_list_finds_them(claims):
    wanted = [claims[0].pk, claims[3].pk, claims[5].pk, 10**9]

    found = ComplianceEvent.objects.filter(AnyOf("pk", values=wanted))

    assert sorted(found.values_list("pk", flat=True)) == sorted(
        ComplianceEvent.objects.filter(pk__in=wanted).values_list("pk", flat=True)
    )
    assert found.count() == 3


def test_rows_are_found_by_pairs_of_columns_and_only_by_the_pairs_named(claims):
    first, second = claims[0].commitment_id, claims[3].commitment_id
    wanted = [(first, dt.date(2025, 4, 1)), (second, dt.date(2025, 4, 3))]

    found = ComplianceEvent.objects.filter(
        AnyOf("commitment_id", "occurred_on", values=wanted)
    ).values_list("commitment_id", "occurred_on")

    assert sorted(found) == sorted(wanted)


def test_texts_with_quotes_and_cyrillic_are_matched_exactly():
    urls = [
        "https://example.org/a'b\"c?q=1&x=%20",
        "https://mil.gov.ua/новини/2025-04-02",
        "https://example.org/\\back",
    ]
    for url in urls:
        SourceFactory(url=url)
    SourceFactory(url="https://example.org/other")

    found = Source.objects.filter(AnyOf("url", values=[*urls, "https://example.org/none"]))

    assert sorted(found.values_list("url", flat=True)) == sorted(urls)


def test_an_empty_list_matches_nothing_and_asks_the_database_nothing(
    claims, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert list(ComplianceEvent.objects.filter(AnyOf("pk", values=[]))) == []
        assert list(ComplianceEvent.objects.filter(AnyOf("pk", values=[None]))) == []


def test_a_null_in_the_list_matches_no_row(claims):
    found = ComplianceEvent.objects.filter(AnyOf("in_response_to_id", values=[None, claims[0].pk]))

    assert list(found) == []


def test_excluding_the_values_keeps_the_rows_where_the_column_is_null(claims):
    answer = ComplianceEventFactory(commitment=claims[0].commitment, in_response_to=claims[0])

    kept = ComplianceEvent.objects.exclude(AnyOf("in_response_to_id", values=[claims[0].pk]))

    assert sorted(kept.values_list("pk", flat=True)) == sorted(
        ComplianceEvent.objects.exclude(in_response_to_id__in=[claims[0].pk]).values_list(
            "pk", flat=True
        )
    )
    assert answer.pk not in kept.values_list("pk", flat=True)
    assert kept.count() == len(claims)


def test_pairs_of_a_text_and_a_number_are_found_on_every_database():
    sources = [
        SourceFactory(url=f"https://example.org/{n}", publisher=f"Ministry {n}") for n in (1, 2)
    ]

    found = Source.objects.filter(
        AnyOf("url", "pk", values=[(sources[0].url, sources[0].pk), (sources[1].url, 10**9)])
    )

    assert list(found.values_list("pk", flat=True)) == [sources[0].pk]


def test_a_pair_with_the_wrong_number_of_parts_is_refused():
    with pytest.raises(ValueError, match="2 parts"):
        AnyOf("commitment_id", "occurred_on", values=[(1,)])


def test_lists_of_any_length_are_asked_in_the_same_statement(claims):
    seen = StatementsSeen()
    ids = [claim.pk for claim in claims]
    pairs = [(claim.commitment_id, claim.occurred_on) for claim in claims]

    with connection.execute_wrapper(seen):
        for length in (1, 2, 5, 6):
            list(ComplianceEvent.objects.filter(AnyOf("pk", values=ids[:length])))
            list(
                ComplianceEvent.objects.filter(
                    AnyOf("commitment_id", "occurred_on", values=pairs[:length])
                )
            )

    assert len(seen.texts) == 8
    assert len(set(seen.texts)) == 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")
@pytest.mark.parametrize(
    ("columns", "index"),
    [(("pk",), "INTEGER PRIMARY KEY"), (("commitment_id", "occurred_on"), "event_same_day_idx")],
)
def test_sqlite_finds_the_rows_along_an_index_without_scanning_the_table(claims, columns, index):
    values = [
        tuple(getattr(claim, column) for column in columns) if len(columns) > 1 else claim.pk
        for claim in claims[:2]
    ]
    query = ComplianceEvent.objects.filter(AnyOf(*columns, values=values)).values("pk").query
    sql, params = query.sql_with_params()

    with connection.cursor() as cursor:
        plan = " ".join(
            str(row[-1]) for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
        )

    assert index in plan, plan
    assert "SCAN tracker_complianceevent" not in plan, plan
