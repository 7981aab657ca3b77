from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance core")

    def ready(self):
        from governance import (
            policies,  # noqa: F401  (registers the core's access policies)
            schedules,
        )

        schedules.connect()
