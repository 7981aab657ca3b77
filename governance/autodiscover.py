"""Modules every app may provide by name (`routing`, `schedules`, `seed`), found the Django way."""

import sys
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


def app_modules(name: str) -> list[ModuleType]:
    """Every installed app's `<app>.<name>` module (routing, schedules, seed), in INSTALLED_APPS
    order. Django's autodiscover_modules imports them (an app without one is skipped, an error
    inside one is raised); it returns nothing, so the loaded modules are read back here."""
    autodiscover_modules(name)
    return [sys.modules[f"{c.name}.{name}"] for c in apps.get_app_configs() if f"{c.name}.{name}" in sys.modules]
