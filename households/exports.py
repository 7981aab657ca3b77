"""台账 exports in Excel with the columns offices file upward. Scoped like every list and audited."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from governance import access, exports
from governance.errors import Forbidden, NotFound
from households import selectors
from households.models import Business, Person, PersonTag, Rental, Visit

KINDS = ("special_groups", "rentals", "businesses", "visits")


def _special_groups(user):
    q = selectors.visible_tags_q(user)
    rows = [] if q is None else PersonTag.objects.filter(q, selectors.active_tag_q()).select_related(
        "tag", "person__household__unit__building").order_by("tag__order", "person__region_path", "person_id")
    yield [_("Group"), _("Sub-type"), _("Name"), _("Sex"), _("Birth date"), _("ID number"), _("Address"),
           _("Source"), _("From"), _("Until")]
    for t in rows:
        p = t.person
        yield [t.tag.name, t.subtype, p.name, p.get_sex_display(), p.birth_date, p.id_number_masked,
               str(p.household.unit) if p.household is not None else "", t.source, t.valid_from, t.valid_until]


def _rentals(user):
    yield [_("Address"), _("Landlord"), _("Tenant household"), _("From"), _("Until"), _("Registration number"),
           _("Tenants")]
    for r in selectors.rentals_for(user).order_by("ends_on"):
        yield [str(r.unit), r.landlord_name, r.tenant_household.number if r.tenant_household_id else "",
               r.starts_on, r.ends_on, r.registration_number, r.tenants_count]


def _businesses(user):
    yield [_("Name"), _("Kind"), _("Address"), _("Owner"), _("Owner phone"), _("Licence number"), _("Employees")]
    for b in access.scope(Business.objects.select_related("unit__building"), user, "view"):
        yield [b.name, b.get_kind_display(), str(b.unit), b.owner_name, b.owner_phone_masked, b.licence_number,
               b.employees]


def _visits(user):
    yield [_("Time"), _("Person"), _("Household"), _("Channel"), _("Place"), _("Findings"), _("Follow-up"),
           _("Visited by")]
    qs = access.scope(Visit.objects.select_related("person", "household", "worker"), user, "view")
    for v in qs:
        yield [timezone.localtime(v.visited_at).strftime("%Y-%m-%d %H:%M"), v.person.name if v.person is not None else "",
               v.household.number if v.household is not None else "", v.get_channel_display(), v.place, v.findings,
               v.follow_up_note, str(v.worker)]


BUILDERS = {"special_groups": (_special_groups, Person), "rentals": (_rentals, Rental),
            "businesses": (_businesses, Business), "visits": (_visits, Visit)}


def export_xlsx(*, kind: str, user) -> tuple[str, bytes]:
    if kind not in BUILDERS:
        raise NotFound()
    builder, model = BUILDERS[kind]
    if not access.may_at_all(user, "export", model):
        raise Forbidden(_("Your role may not export this ledger."))
    content = exports.write_xlsx({kind: builder(user)}, actor=user, action=f"export.{kind}",
                                 purpose=_("台账 export"), bold_rows=(1,))
    return f"{kind}-{timezone.localdate():%Y%m%d}.xlsx", content
