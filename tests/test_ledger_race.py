"""Two web nodes changing the public record at the same moment never take one index.

On PostgreSQL with real concurrent connections, each change in its own
transaction, released together.
"""

import pytest
from django.db import connection

from tests.factories import ComplianceEventFactory, UserFactory
from tests.ledger_support import published_record
from tests.test_concurrency import run_together
from tracker import services
from tracker.ledger import log, merkle
from tracker.models import LedgerEntry

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: real concurrent connections"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_changes_on_two_nodes_at_once_append_one_entry_an_index_and_one_tree(db):
    reviewer = UserFactory(username="first", role="Reviewers")
    other = UserFactory(username="second", role="Reviewers")
    _agreement, commitment, _reading, _claim = published_record(reviewer)
    drafts = [ComplianceEventFactory(commitment=commitment, is_published=False) for _ in range(8)]
    before = log.size()

    outcomes = run_together(
        *(
            (lambda d=d, who=who: services.publish(d, actor=who, reason="Checked"))
            for d, who in zip(drafts, [reviewer, other] * 4, strict=True)
        )
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    rows = list(LedgerEntry.objects.order_by("index"))
    assert [e.index for e in rows] == list(range(len(rows)))
    assert log.size() == len(rows) >= before + 8
    published = {e.record_id for e in rows[before:] if e.kind == "claim"}
    assert published == {d.pk for d in drafts}
    tree = merkle.MemoryTree()
    for row in rows:
        tree.append(row.leaf.encode())
    assert log.head_root() == (len(rows), tree.root())
