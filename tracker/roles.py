"""The two staff roles, as groups of permissions: who may do what, and why.

The rule behind both: **the public record changes only by a reviewer's act.**
Four eyes stand between anything an editor does and what the public reads.

**Editors** record and edit. They add claims, readings, commitments,
agreements, parties and sources, and edit them freely while they are drafts.
An edit of a record already on the public record (its text, its dates, the
commitment a claim belongs to, a commitment's working reading, a claim's
sources or a delivery's quantities) does not reach the public: it waits as a
revision beside the record (``tracker.services.editing``) until a reviewer
publishes it. Editors change the status of a draft commitment, but not of a
published one: every status change of a public commitment (in force,
suspended, fulfilled, collapsed…) alerts its subscribers, so it is a
reviewer's act. Editors see the revisions and the records sent back to them,
with the reviewer's reason.

**Reviewers** do all that editors do, and change the public record:
they verify claims (a verified claim whose substance is then edited goes
back to unverified, so a verification always covers what the claim says),
publish and unpublish records, publish or send back editors' revisions (the
review queue, ``tracker.staff.review_queue``), change the status of
published commitments and correct a final status. A reviewer's own edit of a
public record is published by that same act. Reviewers also unlock a login
that django-axes locked after too many wrong passwords.

Reviewers also look after the alerts: they see every delivery and retry
the failed ones (Alerts → Deliveries → "Retry"), and see the subscriptions
and the endpoints alerts go out to, read only. Subscribers' addresses are
personal data that this work does not need: reviewers see them shortened
("o•••@example.org"), and only someone granted ``view_subscriber_address``
by hand sees them whole (``tracker.alerts.shown_addresses``). Editors do not
see the alerts.

Both create API tokens for their own staff tools; Reviewers revoke anyone's
(``tracker.staff.tokens``). The permission that makes a reviewer is
``publish_records``: the services check it for every act that changes what
the public sees, so the groups are the whole policy.
A data migration creates them; ``ensure_staff_roles`` can be called again at
any time (for example after a test flushed the database) and changes nothing
when they are already right.
"""

from django.apps import apps as installed_apps
from django.contrib.auth.management import create_permissions

EDITORS = "Editors"
REVIEWERS = "Reviewers"

EDITED_MODELS = [
    "party",
    "source",
    "agreement",
    "commitment",
    "commitmentparty",
    "reading",
    "complianceevent",
    "deliveredquantity",
]
INLINE_ROWS = ["commitmentparty", "deliveredquantity"]

EDITOR_CODENAMES = (
    [f"{action}_{model}" for model in EDITED_MODELS for action in ("add", "change", "view")]
    + [f"view_historical{model}" for model in EDITED_MODELS]
    + [f"delete_{model}" for model in INLINE_ROWS]
    + ["view_statuschange", "change_commitment_status"]
)
REVIEWER_CODENAMES = EDITOR_CODENAMES + [
    "verify_complianceevent",
    "publish_records",
    "correct_commitment_status",
]
ROLES = {EDITORS: EDITOR_CODENAMES, REVIEWERS: REVIEWER_CODENAMES}
# What waits for a reviewer, and what was sent back: read by both roles, changed
# only through the review's own services (tracker.services.review).
REVIEW_RECORDS = ["view_revision", "view_sentback"]
# Unlocking a login is deleting its record of failed attempts (django-axes).
LOGIN_UNLOCKING = {
    REVIEWERS: ["view_accessattempt", "delete_accessattempt", "view_accessfailurelog"],
}
# API tokens (DRF's authtoken, through its admin proxy): everyone in a role may
# create a token for themselves; revoking someone else's is a reviewer's job.
API_TOKENS = {
    EDITORS: ["add_tokenproxy", "view_tokenproxy"],
    REVIEWERS: ["add_tokenproxy", "view_tokenproxy", "delete_tokenproxy"],
}

# Evidence (tracker.evidence): both roles see the copies and attach files from the field;
# making a source's copy public (shareable) is a reviewer's act, checked by its service.
EVIDENCE = {
    EDITORS: ["view_capture", "view_link", "view_attachment", "add_attachment"],
    REVIEWERS: [
        "view_capture",
        "view_link",
        "view_historicallink",
        "view_attachment",
        "add_attachment",
        "change_attachment",
    ],
}


# Alerts: reviewers see and retry deliveries (retrying is changing one) and see the
# subscriptions and endpoints; whole addresses are for no role (alerts.view_subscriber_address).
ALERTS = {
    REVIEWERS: ["view_delivery", "change_delivery", "view_subscription", "view_endpoint"],
}


def ensure_staff_roles(apps=installed_apps, *, with_login_unlocking: bool = True) -> None:
    """Create both groups with their permissions; ``apps`` may be a migration's.

    The migration that first made the groups ran before django-axes was
    installed, so it asks for the tracker's permissions only. The token and
    review permissions are granted wherever their models are known to
    ``apps``: migrations older than them do without, the one after grants them.
    """
    # Permissions are normally created after all migrations have run; make
    # sure they exist now so the groups can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = had_models or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models

    Group = apps.get_model("auth", "Group")
    grants = [("tracker", ROLES)]
    if _knows_model(apps, "tracker", "Revision"):
        grants.append(("tracker", {EDITORS: REVIEW_RECORDS, REVIEWERS: REVIEW_RECORDS}))
    if with_login_unlocking:
        grants.append(("axes", LOGIN_UNLOCKING))
    if _knows_model(apps, "authtoken", "TokenProxy"):
        grants.append(("authtoken", API_TOKENS))
    if _knows_model(apps, "evidence", "Attachment"):
        grants.append(("evidence", EVIDENCE))
    if _knows_model(apps, "alerts", "Endpoint"):
        grants.append(("alerts", ALERTS))
    for app_label, roles in grants:
        for name, codenames in roles.items():
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.add(*_permissions(apps, app_label, codenames, name))


def _knows_model(apps, app_label: str, model_name: str) -> bool:
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


def _permissions(apps, app_label: str, codenames: list[str], role: str):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"permissions missing for {role}: {sorted(missing)}")
    return permissions
