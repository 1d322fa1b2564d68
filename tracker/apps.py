from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Ceasefire tracker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every change to an event rebuilds its commitment's summary, in the same
        # transaction; every change to a tracked record makes a new version of the
        # public record for every web node. Connected here, so that a worker, an
        # import or any other process that is not serving pages does both too.
        # After every migrate, the search indexes are checked against what they
        # should hold.
        from tracker import http, summaries
        from tracker.search import index

        summaries.connect()
        http.connect()
        index.connect()
