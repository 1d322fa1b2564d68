"""Recording claims in bulk: a file of claims, read and recorded through the services.

``reading`` turns a CSV, XLSX or JSON file into rows; ``claims`` turns a row
into a claim to record; ``importer`` records them, all or nothing, and says
what became of each row. The ``import_events`` command and the admin's
import page (``admin``) are thin shells over ``importer.import_claims``.
"""
