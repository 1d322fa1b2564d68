"""Every write that changes what a commitment *is*.

Status transitions, readings, compliance events, verification and
publication all go through here, whoever asks: the admin, the alert sweep,
the demo loader or a test. Each function checks the actor's permission,
validates, writes inside one transaction, and leaves a history row that says
who did it and why. Anything refused raises a subclass of ``TrackerError``,
which is also a ``ValidationError`` so forms can show it as it is.

What every action shares (refusals, permissions, reasons, checks, saving
with history) is in ``base``; the actions are in ``commitments`` (records,
status, readings), ``claims`` (record, edit, verify), ``publication``,
``editing``: every edit of a stored record, which waits as a revision once
the record is public, ``review``: the reviewer's acts that publish it or send
it back, and ``versions``: refusing an edit based on an older version.
Many claims at once are recorded by ``tracker.recording.record_events``
under the same rules. Every action is importable from ``tracker.services``.
"""

from tracker.services.base import (
    CLOCK,
    IMPORT,
    InvalidEvent,
    InvalidRecord,
    InvalidSource,
    InvalidTerms,
    InvalidText,
    MissingReason,
    NotPermitted,
    PublishingRefused,
    SystemActor,
    TrackerError,
    TransitionNotAllowed,
    WorkingReadingConflict,
    event_verified,
    in_english,
    revision_published,
    role_of,
    status_changed,
)
from tracker.services.claims import (
    edit_event,
    record_event,
    verify_event,
)
from tracker.services.commitments import (
    WINDOW_ENDED,
    add_reading,
    change_status,
    create_commitment,
    expire_due_windows,
    extend_window,
    make_working,
    save_record,
    update_reading,
)
from tracker.services.editing import (
    Edit,
    PendingRevisionConflict,
    edit_record,
    head,
    may_publish,
)
from tracker.services.publication import (
    PUBLISHABLE,
    publish,
    set_published,
    unpublish,
)
from tracker.services.review import (
    last_sent_back,
    publish_revision,
    review_and_publish,
    send_back,
)
from tracker.services.versions import (
    EditConflict,
    edit_token,
    pending_revision,
    refuse_if_changed,
)

__all__ = [
    "status_changed",
    "event_verified",
    "revision_published",
    "TrackerError",
    "NotPermitted",
    "MissingReason",
    "TransitionNotAllowed",
    "InvalidRecord",
    "InvalidText",
    "InvalidTerms",
    "InvalidSource",
    "InvalidEvent",
    "WorkingReadingConflict",
    "PublishingRefused",
    "SystemActor",
    "CLOCK",
    "IMPORT",
    "in_english",
    "role_of",
    "save_record",
    "create_commitment",
    "change_status",
    "WINDOW_ENDED",
    "expire_due_windows",
    "add_reading",
    "update_reading",
    "make_working",
    "extend_window",
    "record_event",
    "edit_event",
    "verify_event",
    "PUBLISHABLE",
    "set_published",
    "publish",
    "unpublish",
    "Edit",
    "EditConflict",
    "PendingRevisionConflict",
    "edit_record",
    "edit_token",
    "pending_revision",
    "publish_revision",
    "refuse_if_changed",
    "review_and_publish",
    "send_back",
    "head",
    "may_publish",
    "last_sent_back",
]
