from tests.factories import CommitmentFactory, ComplianceEventFactory
from tracker import public


def test_the_compliance_picture_counts_published_events_by_claimant(db):
    commitment = CommitmentFactory()
    ComplianceEventFactory.create_batch(2, commitment=commitment)
    ComplianceEventFactory(commitment=commitment, is_published=False)
    loaded = public.commitments().select_related("compliance_summary").get(pk=commitment.pk)
    assert loaded.compliance.total == 2
