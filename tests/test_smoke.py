from tests.factories import CommitmentFactory, ComplianceEventFactory
from tracker.models import Commitment


def test_with_compliance_counts_published_events_by_claimant(db):
    commitment = CommitmentFactory()
    ComplianceEventFactory.create_batch(2, commitment=commitment)
    ComplianceEventFactory(commitment=commitment, is_published=False)
    loaded = Commitment.objects.with_compliance().get(pk=commitment.pk)
    assert loaded.compliance.total == 2
