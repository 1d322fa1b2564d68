"""Open data for machines and feed readers: CSV files, the JSON API, Atom feeds and calendars.

Everything here reads through ``tracker.public``.
"""
