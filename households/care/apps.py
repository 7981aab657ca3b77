from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "households.care"
    label = "care"
    verbose_name = _("Care alerts")

    def ready(self):
        from django.db.models.signals import pre_delete

        from households.care import policies  # noqa: F401
        from households.care.models import Meter
        from households.care.services.ingest import hold_meter_for_delete

        pre_delete.connect(hold_meter_for_delete, sender=Meter, dispatch_uid="care-hold-meter-for-delete")
