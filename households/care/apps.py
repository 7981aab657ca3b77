from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "households.care"
    label = "care"
    verbose_name = _("Care alerts")

    def ready(self):
        from households.care import policies  # noqa: F401
