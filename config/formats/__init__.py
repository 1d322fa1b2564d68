"""How dates read in each of the site's languages, where Django's own formats do not suit.

Django's formats module for each language fills in whatever is not set here.
Every language writes a date the same way round, day first, with the month
in the form a date takes ("1 лютого 2026", not "01 лютого 2026 р."), so a
date reads alike on the pages, in the admin and in the alerts.
"""
