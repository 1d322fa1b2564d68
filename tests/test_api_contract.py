"""The public API keeps its own schema: Schemathesis tries every operation and finds nothing.

Every check Schemathesis has runs on every public operation (see
``tests/api_contract.py``): answers and their fields as documented (null where
a field may be null), every status the server gives documented with its body,
every parameter's limits the server's own, invalid input refused and valid
input accepted.

One allowance: a list may answer 400 to a request the schema cannot tell
from a good one, because what decides is the record, not the request's
shape: a slug nothing is published under, a range whose ends are each valid
but in the wrong order, a page past the last, or a search with no word in
it. Each of those 400s names the parameter and is documented with its body.
The same goes for a well-formed ``as_of`` day outside the days there are, on
the lists and on a commitment's detail, where a slug nothing is published
under is the documented 404.
"""

import pytest
from hypothesis import HealthCheck, settings

from tests.api_contract import PLAIN, contract, the_tests_connection_kept
from tests.opendata_support import build_record

PUBLIC_LISTS_MAY_REFUSE_BY_THE_RECORD = """
[[operations]]
include-path-regex = "^/api/(commitments|readings|events|agreements|parties)/$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400"]

[[operations]]
include-path-regex = "^/api/commitments/[{]slug[}]/$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404"]
"""

public_api = contract(
    "^/api/",
    exclude_path_regex="^/api/staff/",
    allowances=PUBLIC_LISTS_MAY_REFUSE_BY_THE_RECORD,
)


@pytest.fixture
def public_record(db):
    return build_record()


@public_api.parametrize()
# The record is made once for all of an operation's examples: the public API only reads.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_the_public_api_keeps_its_schema(case, public_record):
    with the_tests_connection_kept():
        case.call_and_validate(headers=PLAIN)
