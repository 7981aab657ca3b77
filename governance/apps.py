from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance core")

    def ready(self):
        from governance import (  # noqa: F401  (each connects or registers on import)
            policies,  # the core's access policies
            regions,  # a moved region rewrites every copy of its path
            schedules,
            workdays,  # an edited calendar drops the cached one
        )

        schedules.connect()
