"""The staff API keeps its own schema: Schemathesis tries every operation, with a token, and
finds nothing the schema does not describe.

Every check Schemathesis has runs on every staff operation (``tests/api_contract.py``):
as an editor with a token on all of them, and as a reviewer on the two only reviewers
may use (verify and publish), which refuse the editor with the 403 they document.

A body the schema calls valid may still be refused when what decides is the record or
the clock, not the body's shape: a slug or an identifier nothing has, a claim dated
after now, a party accusing itself, a period ending before it starts, a claim answering
its own answer, a source saved twice, publishing before the commitment. Such a body may
be answered 400 (and an address naming no record 404), but only with those words:
``refused_only_by_the_record`` fails on any other 400 to a valid body, which is what a
client generated from the schema would meet without warning.
"""

import re

import pytest
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.api_contract import PLAIN, contract, the_tests_connection_kept
from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    SourceFactory,
)
from tracker.models.validators import (
    BEFORE_1900,
    EVENT_IN_THE_FUTURE,
    RECORDED_IN_THE_FUTURE,
)

WRITES_MAY_BE_REFUSED_BY_THE_RECORD = """
[[operations]]
include-path-regex = "^/api/staff/"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404", "409", "412"]
"""
EDITORS_ARE_REFUSED = """
[[operations]]
include-path-regex = "^/api/staff/events/[^/]+/(verify|publish)/$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "403", "404", "409", "412"]
"""

# The words of every refusal that the record or the clock decides, not the body's shape.
DECIDED_BY_THE_RECORD = [
    re.escape(BEFORE_1900),  # an instant in 1900 with an offset that puts it in 1899
    re.escape(EVENT_IN_THE_FUTURE),
    re.escape(RECORDED_IN_THE_FUTURE),
    r"There is no (commitment|party|claim|source) “.*”\.",
    r"A party cannot accuse itself\.",
    r"The period must end after it starts\.",
    r"A claim cannot answer itself\.",
    r"Claim \d+ answers this one.*",
    r"Only a delivery hands over quantities\.",
    r"The same row is given twice\.",
    r"source with this url already exists\.",
    r"Publish the commitment first.*",
    r"That page contains no results\.",
    r"\w+_after must be earlier than \w+_before\.",
    r"Select a valid choice\. That choice is not one of the available choices\.",
]
DECIDED = re.compile("|".join(f"(?:{words})" for words in DECIDED_BY_THE_RECORD), re.DOTALL)


def messages(body) -> list[str]:
    if isinstance(body, str):
        return [body]
    if isinstance(body, list):
        return [message for item in body for message in messages(item)]
    if isinstance(body, dict):
        return [message for item in body.values() for message in messages(item)]
    return []


def refused_only_by_the_record(ctx, response, case):
    """A body the schema calls valid is refused only for what the schema cannot know."""
    if response.status_code != 400 or not case.meta.generation.mode.is_positive:
        return None
    undescribed = [m for m in messages(response.json()) if not DECIDED.fullmatch(m)]
    if undescribed:
        raise AssertionError(f"A valid body was refused for its shape: {undescribed}")
    return None


# Each set of operations is also kept by excluding the others: an allowance's own
# include-path-regex otherwise brings every operation back.
editors_api = contract(
    "^/api/staff/",
    exclude_path_regex="^/api/(?!staff/)",
    # The first allowance an operation matches is the one it gets.
    allowances=EDITORS_ARE_REFUSED + WRITES_MAY_BE_REFUSED_BY_THE_RECORD,
)
REVIEWERS_ONLY = "^/api/staff/events/[^/]+/(verify|publish)/$"
reviewers_api = contract(
    REVIEWERS_ONLY,
    exclude_path_regex="^/api/(?!staff/events/[^/]+/(verify|publish)/$)",
    allowances=WRITES_MAY_BE_REFUSED_BY_THE_RECORD,
)


@pytest.fixture
def record(db, settings):
    """Commitments published and not, the parties, a claim of each and a source."""
    settings.STAFF_API_RATE = "1000000/min"
    russia = PartyFactory(slug="russia", name="Russia")
    ukraine = PartyFactory(slug="ukraine", name="Ukraine")
    for slug, published in (("energy-pause", True), ("easter-truce", False)):
        commitment = CommitmentFactory(slug=slug, is_published=published)
        ComplianceEventFactory(commitment=commitment, claimant=ukraine, accused=russia)
    SourceFactory()


def with_token(user) -> dict:
    return {**PLAIN, "Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


@editors_api.parametrize()
# The record is made once for all of an operation's examples; each example's writes stay.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_the_staff_api_keeps_its_schema_for_an_editor(case, record, editor):
    with the_tests_connection_kept():
        case.call_and_validate(
            headers=with_token(editor), additional_checks=[refused_only_by_the_record]
        )


@reviewers_api.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_the_staff_api_keeps_its_schema_for_a_reviewer(case, record, reviewer):
    with the_tests_connection_kept():
        case.call_and_validate(
            headers=with_token(reviewer), additional_checks=[refused_only_by_the_record]
        )
