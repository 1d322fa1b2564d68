"""The two staff roles, as groups of permissions.

Editors record and edit; Reviewers additionally verify, publish and correct,
and unlock a login that django-axes locked after too many wrong passwords.
Both create API tokens for their own staff tools; Reviewers revoke anyone's
(``tracker.staff.tokens``).
The services check these permissions, so the groups are the whole policy.
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


def ensure_staff_roles(apps=installed_apps, *, with_login_unlocking: bool = True) -> None:
    """Create both groups with their permissions; ``apps`` may be a migration's.

    The migration that first made the groups ran before django-axes was
    installed, so it asks for the tracker's permissions only. The token
    permissions are granted wherever the tokens' app is known to ``apps``:
    migrations older than it do without them, the one after it grants them.
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
    if with_login_unlocking:
        grants.append(("axes", LOGIN_UNLOCKING))
    if _knows_model(apps, "authtoken", "TokenProxy"):
        grants.append(("authtoken", API_TOKENS))
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
