from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "workorders"
    verbose_name = _("Work orders (一网统管)")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from governance.models import Region
        from workorders import order_routing, policies  # noqa: F401

        post_save.connect(order_routing.invalidate, sender=Region, dispatch_uid="wo-grid-cache-save")
        post_delete.connect(order_routing.invalidate, sender=Region, dispatch_uid="wo-grid-cache-delete")
