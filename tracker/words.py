"""Words for readers that the records keep as codes: languages, and reasons the system wrote.

A source keeps its language as a code ("en"), and the services write the
reasons of their own changes ("window ended", "Demo data") in English, for
staff and for the history tables. Neither is what a reader of the Ukrainian
page should see. Each is said here in the reader's language, as a phrase:
"in English", "англійською", "на английском"; "its agreed period ended".

Reasons typed by people are theirs and are shown as they wrote them, in
English, the language of the staff pages (the pages mark them as English
for readers of another language); only the reasons below, which the
tracker itself writes, are translated. A new
reason written by the system belongs in ``SYSTEM_REASONS`` (a whole reason)
or ``SYSTEM_PREFIXES`` (words put before a person's reason), so it is never
shown in English on a page in another language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

# Languages ---------------------------------------------------------------------------

# How a text's language is said after it: "(The Kyiv Independent, 18 March 2025, in English)".
IN_LANGUAGE = {
    "en": gettext_lazy("in English"),
    "uk": gettext_lazy("in Ukrainian"),
    "ru": gettext_lazy("in Russian"),
    "tr": gettext_lazy("in Turkish"),
    "ar": gettext_lazy("in Arabic"),
    "fr": gettext_lazy("in French"),
    "de": gettext_lazy("in German"),
    "pl": gettext_lazy("in Polish"),
}


def in_language(code: str | None) -> str:
    """A language code as a phrase in the reader's language: "en" is "in English", "англійською".

    A regional code ("en-GB") is said as its language; a language without a
    phrase of ours by its name, as Django knows it in the reader's language;
    a code nobody knows, as it was given.
    """
    code = (code or "").strip()
    if not code:
        return ""
    base = code.lower().replace("_", "-").split("-")[0]
    phrase = IN_LANGUAGE.get(base)
    if phrase is not None:
        return str(phrase)
    try:
        name = get_language_info(base)["name_translated"]
    except KeyError:
        name = code
    return _("in the language “%(language)s”") % {"language": name}


# Reasons the system writes -----------------------------------------------------------

# Stored as written here, in English, the language of the staff pages and the history.
WINDOW_ENDED = "window ended"
DEMO_DATA = "Demo data"
CORRECTION = "Correction: "
EXTENDED = "Extended: "
NO_LONGER_WORKING = "No longer the working reading: "
# When the new working reading is not public, its reason is not quoted.
NO_LONGER_WORKING_UNQUOTED = "No longer the working reading."
IMPORTED_FROM = "Imported from "

SYSTEM_REASONS = {
    WINDOW_ENDED: gettext_lazy("its agreed period ended"),
    DEMO_DATA: gettext_lazy("the demonstration data set was loaded"),
    NO_LONGER_WORKING_UNQUOTED: gettext_lazy("No longer the working reading."),
}

SYSTEM_PREFIXES = {
    CORRECTION: gettext_lazy("Correction: %(reason)s"),
    EXTENDED: gettext_lazy("Extended: %(reason)s"),
    NO_LONGER_WORKING: gettext_lazy("No longer the working reading: %(reason)s"),
    IMPORTED_FROM: gettext_lazy("Imported from %(reason)s"),
}


def is_system_reason(reason: str) -> bool:
    """Whether the tracker wrote this reason itself, rather than a person."""
    return reason in SYSTEM_REASONS


def reason_for_readers(
    reason: str | None, *, person: Callable[[str], str] = str, escape: Callable = str
) -> str:
    """A stored reason as readers of this page's language read it.

    The system's own reasons are translated; a person's reason is kept as
    written, with any words the system put before it translated. ``person``
    is applied to a person's words and ``escape`` to the system's, so a page
    can mark the first as English and escape both (``|reason`` in templates).
    """
    reason = reason or ""
    if reason in SYSTEM_REASONS:
        return escape(str(SYSTEM_REASONS[reason]))
    for prefix, words in SYSTEM_PREFIXES.items():
        if reason.startswith(prefix) and len(reason) > len(prefix):
            inner = reason_for_readers(reason[len(prefix) :], person=person, escape=escape)
            return escape(str(words)) % {"reason": inner}
    return person(reason)
