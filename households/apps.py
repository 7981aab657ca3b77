from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("Household files (一户一档)")

    def ready(self):
        from households import policies  # noqa: F401
