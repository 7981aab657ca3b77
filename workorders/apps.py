from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "workorders"
    verbose_name = _("Work orders (一网统管)")

    def ready(self):
        from workorders import policies  # noqa: F401
