"""The public log's addresses: the page that explains it, its checkpoint and key, its entries
and its proofs. They only read. A parameter that is missing, not a whole number or out of the
log's range is a 400 that says which and why, never a server error."""

from __future__ import annotations

import base64

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker.ledger import checkpoints, log
from tracker.models import LedgerCheckpoint, LedgerEntry

MAX_ENTRIES = 1000
NO_CACHE = "no-cache"


class BadParameter(ValueError):
    pass


def _b64(value: bytes) -> str:
    return base64.b64encode(bytes(value)).decode()


def _whole(request, name: str) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        raise BadParameter(_("Give %(name)s, a whole number.") % {"name": name})
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise BadParameter(
            _("%(name)s must be a whole number, 0 or more, not “%(value)s”.")
            % {"name": name, "value": raw[:40]}
        )
    return int(raw)


def _json(data, status=200):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = NO_CACHE
    return response


def _bad(exc: Exception):
    return _json({"detail": str(exc)}, status=400)


def _text(body: str, status=200):
    response = HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = NO_CACHE
    return response


@require_safe
def ledger_page(request):
    latest = checkpoints.latest()
    return render(
        request,
        "tracker/ledger.html",
        {
            "checkpoint": latest,
            "size": log.size(),
            "verifier_key": checkpoints.signing_key().verifier_key
            if checkpoints.has_key()
            else None,
            "site": request.build_absolute_uri("/").rstrip("/"),
            "max_entries": MAX_ENTRIES,
        },
    )


@require_safe
def checkpoint(request):
    """The latest checkpoint, or with ``?size=`` the one of that size (a past day's)."""
    if "size" in request.GET:
        try:
            size = _whole(request, "size")
        except BadParameter as exc:
            return _text(str(exc) + "\n", status=400)
        found = LedgerCheckpoint.objects.filter(size=size).first()
        if found is None:
            return _text(_("No checkpoint of that size was signed.") + "\n", status=404)
        return _text(found.note)
    latest = checkpoints.latest()
    if latest is None:
        return _text(_("No checkpoint has been signed yet.") + "\n", status=404)
    return _text(latest.note)


@require_safe
def key(request):
    if not checkpoints.has_key():
        return _text(_("This site has no key for signing its log.") + "\n", status=404)
    return _text(checkpoints.signing_key().verifier_key + "\n")


@require_safe
def entries(request):
    """Entries ``start`` to ``end`` (exclusive), at most ``MAX_ENTRIES`` at a time: the answer's
    ``end`` says where it stopped, and the next request starts there."""
    size = log.size()
    try:
        start, end = _whole(request, "start"), _whole(request, "end")
        if end <= start:
            raise BadParameter(_("end must be greater than start."))
        if start >= size:
            raise BadParameter(
                _("start must be less than the log's size, %(size)s.") % {"size": size}
            )
    except BadParameter as exc:
        return _bad(exc)
    end = min(end, size, start + MAX_ENTRIES)
    rows = LedgerEntry.objects.filter(index__gte=start, index__lt=end).order_by("index")
    return _json(
        {
            "start": start,
            "end": end,
            "size": size,
            "entries": [
                {"index": e.index, "leaf": e.leaf, "leaf_hash": _b64(e.leaf_hash)}
                for e in rows.only("index", "leaf", "leaf_hash")
            ],
        }
    )


@require_safe
def inclusion_proof(request):
    size = log.size()
    try:
        index, tree_size = _whole(request, "index"), _whole(request, "size")
        if not 0 < tree_size <= size:
            raise BadParameter(
                _("size must be from 1 to the log's size, %(size)s.") % {"size": size}
            )
        if index >= tree_size:
            raise BadParameter(_("index must be less than size."))
    except BadParameter as exc:
        return _bad(exc)
    leaf = LedgerEntry.objects.values_list("leaf_hash", flat=True).get(index=index)
    return _json(
        {
            "index": index,
            "size": tree_size,
            "leaf_hash": _b64(leaf),
            "root": _b64(log.root(tree_size)),
            "proof": [_b64(h) for h in log.inclusion_proof(index, tree_size)],
        }
    )


@require_safe
def consistency_proof(request):
    size = log.size()
    try:
        old, new = _whole(request, "old"), _whole(request, "new")
        if not 0 < new <= size:
            raise BadParameter(
                _("new must be from 1 to the log's size, %(size)s.") % {"size": size}
            )
        if not 0 < old <= new:
            raise BadParameter(_("old must be from 1 to new."))
    except BadParameter as exc:
        return _bad(exc)
    return _json(
        {
            "old": old,
            "new": new,
            "old_root": _b64(log.root(old)),
            "new_root": _b64(log.root(new)),
            "proof": [_b64(h) for h in log.consistency_proof(old, new)],
        }
    )
