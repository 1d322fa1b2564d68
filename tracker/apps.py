from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Ceasefire tracker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every change to an event rebuilds its commitment's summary, in the same transaction.
        from tracker import summaries

        summaries.connect()
