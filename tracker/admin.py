"""The staff admin: where editors and reviewers keep the record.

Django finds the admin here; it lives in ``tracker.staff``: the record admins
in ``records``, their common base in ``record_admin``, the pages that change
status, verification, publication and the working reading in
``action_pages``, the forms behind them in ``forms``, the staff's API
tokens in ``tokens``, editing through review in ``editing``, the revisions
waiting for a reviewer, shown as diffs, in ``review``, and the review queue in
``review_queue``.
"""

from django.contrib import admin

from tracker.staff import records, review, tokens  # noqa: F401  (registers the admins)

admin.site.site_header = "Ceasefire Commitment Tracker"
admin.site.site_title = "Ceasefire Commitment Tracker staff"
admin.site.index_title = "Keeping the record"
