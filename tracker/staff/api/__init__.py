"""The staff write API: staff tools record and edit claims and sources, verify and publish.

It lives under ``/api/staff/``, beside the public read-only API and apart
from it: the public endpoints stay anonymous, read only through
``tracker.public`` and are cached publicly; these answer only to a staff
member's token, may reach unpublished records, write only through
``tracker.services`` and are never cached by anyone.
"""
