from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "tracker.alerts"
    label = "alerts"
    verbose_name = "Alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The services send these inside the transaction that made the change,
        # so the alerts commit (or roll back) together with it.
        from django.db.models.signals import post_save

        from tracker import services
        from tracker.alerts import outbox
        from tracker.models import ComplianceEvent

        services.status_changed.connect(outbox.on_status_changed, dispatch_uid="alerts.status")
        services.event_verified.connect(outbox.on_event_verified, dispatch_uid="alerts.verified")
        post_save.connect(
            outbox.on_event_saved, sender=ComplianceEvent, dispatch_uid="alerts.event_saved"
        )
