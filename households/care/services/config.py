"""Per-district settings and the escalation ladder, with the defaults of Shanghai 静安 practice."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from governance.models import Region
from households.care.models import Audience, CareSettings, EscalationStep

# (code, order, after_minutes, audience, while_states, create_visit, instruction)
DEFAULT_LADDER = [
    ("grid_call", 1, 0, Audience.GRID, "open", False,
     _("Call the person now. No answer: go to the door.")),
    ("contacts", 2, 10, Audience.CONTACTS, "open,acknowledged", False,
     _("The family is told; they may know where the person is.")),
    ("community_visit", 3, 30, Audience.COMMUNITY, "open", True,
     _("Nobody has acknowledged: community staff visit. Nobody opens: call 110 or the property company.")),
    ("street", 4, 120, Audience.STREET, "open,acknowledged", False,
     _("Two hours without a visit under way: the street's duty officer is told.")),
]


def ensure_defaults(district: Region) -> CareSettings:
    """The district's settings and ladder, created with the defaults when missing (idempotent)."""
    with transaction.atomic():
        cfg, _created = CareSettings.objects.get_or_create(district=district)
        if not EscalationStep.objects.filter(district=district).exists():
            EscalationStep.objects.bulk_create([
                EscalationStep(district=district, code=code, order=order, after_minutes=after, audience=audience,
                               while_states=states, create_visit=visit, instruction=str(text))
                for code, order, after, audience, states, visit, text in DEFAULT_LADDER
            ])
    return cfg


def all_settings() -> list[CareSettings]:
    return [ensure_defaults(d) for d in Region.objects.filter(level="district")]
