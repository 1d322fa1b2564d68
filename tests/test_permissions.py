"""Who may do what: enforced in the services, whatever screen the request came from."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    UserFactory,
)
from tracker import services
from tracker.models import ComplianceEvent, EventKind
from tracker.services import CLOCK, IMPORT, NotPermitted

UTC = dt.UTC


def edit_a_party(actor):
    party = PartyFactory()
    party.short_name = "RU"
    services.save_record(party, actor=actor, reason="Short name")


def create_a_commitment(actor):
    services.create_commitment(
        actor=actor, reason="New", agreement=AgreementFactory(), title="Pause", slug="pause",
        category="energy", shape="window",
    )  # fmt: skip


def change_a_drafts_status(actor):
    commitment = CommitmentFactory(is_published=False)
    services.change_status(commitment, "suspended", actor=actor, reason="Paused")


def change_a_published_status(actor):
    services.change_status(CommitmentFactory(), "suspended", actor=actor, reason="Paused")


def correct_a_final_status(actor):
    commitment = CommitmentFactory(status="expired")
    services.change_status(commitment, "in_force", actor=actor, reason="Wrong", correction=True)


def add_a_reading(actor):
    services.add_reading(CommitmentFactory(), actor=actor, reason="Kyiv's count", label="Kyiv")


def choose_the_working_reading(actor):
    commitment = CommitmentFactory()
    ReadingFactory(commitment=commitment)
    other = ReadingFactory(commitment=commitment, is_working=False)
    services.make_working(other, actor=actor, reason="Better sourced")


def extend_a_window(actor):
    reading = ReadingFactory()
    services.extend_window(reading.commitment, actor=actor, reason="Extended", extra_days=30)


def record_an_event(actor):
    event = ComplianceEvent(
        commitment=CommitmentFactory(),
        kind=EventKind.STATEMENT,
        occurred_at=dt.datetime(2025, 4, 18, tzinfo=UTC),
        summary="The month has expired; no new instructions.",
    )
    services.record_event(event, actor=actor, reason="Spokesman")


def verify_an_event(actor):
    services.verify_event(ComplianceEventFactory(), "refuted", actor=actor, reason="Denied")


def publish_a_commitment(actor):
    services.publish(CommitmentFactory(is_published=False), actor=actor, reason="Checked")


def unpublish_an_event(actor):
    services.unpublish(ComplianceEventFactory(), actor=actor, reason="Retracted")


EVERYONE_WITH_A_ROLE = {"editor", "reviewer", "superuser", "clock", "import"}
REVIEWERS_ONLY = {"reviewer", "superuser", "clock", "import"}
WHO_MAY = {
    edit_a_party: EVERYONE_WITH_A_ROLE,
    create_a_commitment: EVERYONE_WITH_A_ROLE,
    change_a_drafts_status: EVERYONE_WITH_A_ROLE,
    change_a_published_status: REVIEWERS_ONLY,
    correct_a_final_status: REVIEWERS_ONLY,
    add_a_reading: EVERYONE_WITH_A_ROLE,
    choose_the_working_reading: EVERYONE_WITH_A_ROLE,
    extend_a_window: EVERYONE_WITH_A_ROLE,
    record_an_event: EVERYONE_WITH_A_ROLE,
    verify_an_event: REVIEWERS_ONLY,
    publish_a_commitment: REVIEWERS_ONLY,
    unpublish_an_event: REVIEWERS_ONLY,
}
ACTORS = ["editor", "reviewer", "superuser", "clock", "import", "outsider", "anonymous", "nobody"]


@pytest.fixture
def actor(request, db):
    name = request.param
    return {
        "editor": lambda: UserFactory(username="editor", role="Editors"),
        "reviewer": lambda: UserFactory(username="reviewer", role="Reviewers"),
        "superuser": lambda: UserFactory(username="root", is_superuser=True),
        "clock": lambda: CLOCK,
        "import": lambda: IMPORT,
        "outsider": lambda: UserFactory(username="outsider"),
        "anonymous": AnonymousUser,
        "nobody": lambda: None,
    }[name]()


@pytest.mark.parametrize("actor", ACTORS, indirect=True, ids=ACTORS)
@pytest.mark.parametrize("action", list(WHO_MAY), ids=lambda action: action.__name__)
def test_each_action_is_allowed_to_exactly_the_roles_that_hold_its_permission(
    request, action, actor
):
    if request.node.callspec.params["actor"] in WHO_MAY[action]:
        action(actor)
    else:
        with pytest.raises(NotPermitted):
            action(actor)


def test_a_refused_action_writes_nothing(db, editor):
    event = ComplianceEventFactory()
    before = event.history.count()

    with pytest.raises(NotPermitted):
        services.verify_event(event, "verified", actor=editor, reason="x")

    assert event.history.count() == before
    assert ComplianceEvent.objects.get(pk=event.pk).verification == "unverified"


def test_a_reviewer_whose_account_is_disabled_can_do_nothing(db):
    former = UserFactory(username="former", role="Reviewers", is_active=False)

    with pytest.raises(NotPermitted):
        publish_a_commitment(former)


def test_the_policy_is_the_permission_not_the_group_name(db):
    trusted = UserFactory(username="trusted")
    trusted.user_permissions.add(Permission.objects.get(codename="publish_records"))

    publish_a_commitment(trusted)


def test_editors_hold_no_permission_to_verify_publish_or_correct(db):
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    reviewers = set(
        Group.objects.get(name="Reviewers").permissions.values_list("codename", flat=True)
    )

    held_back = {"verify_complianceevent", "publish_records", "correct_commitment_status"}
    assert not editors & held_back
    assert held_back <= reviewers
    assert editors <= reviewers
    assert {"add_complianceevent", "change_reading", "change_commitment_status"} <= editors
