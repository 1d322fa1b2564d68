"""A shareable archived copy, served to readers inert: it runs no script and sets no cookie."""

import base64

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from tracker import public
from tracker.evidence import storage

# The copy is someone else's page served from this site: a sandbox gives it an origin of its
# own (no cookies, no script, no forms), and the browser must not guess another type for it.
INERT = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"


@require_safe
def shared_copy(request, source: int, capture: int):
    copy = public.shared_copy(source, capture)
    if copy is None:
        raise Http404("No shareable copy here.")
    response = HttpResponse(
        storage.read(copy.body_name), content_type=copy.content_type or "application/octet-stream"
    )
    response["Content-Security-Policy"] = INERT
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="copy-{copy.sha256[:16]}"'
    response["Cache-Control"] = "public, max-age=86400"
    # RFC 3230's Digest, so a reader's tool can check the copy against the hash on the page.
    response["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(copy.sha256)).decode()
    return response


@require_safe
def shared_file(request, pk: int):
    """A file from the field's public copy (an image without its metadata)."""
    attachment = public.files_from_the_field().filter(pk=pk).first()
    if attachment is None:
        raise Http404("No public file here.")
    response = HttpResponse(
        storage.read(attachment.public_name), content_type=attachment.content_type
    )
    response["Content-Security-Policy"] = INERT
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    response["Digest"] = (
        "sha-256=" + base64.b64encode(bytes.fromhex(attachment.public_sha256)).decode()
    )
    return response
