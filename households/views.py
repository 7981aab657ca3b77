"""Staff pages for grid workers on a phone, and the resident's portal pages. Thin: forms validate,
services act, DomainErrors become messages."""

import datetime as dt
from typing import TYPE_CHECKING, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance import access
from governance.errors import DomainError, Forbidden
from households import selectors, services
from households.models import (
    Building,
    CareContact,
    ChangeRequest,
    ChangeStatus,
    IdType,
    ImportJob,
    ImportStatus,
    Person,
    Registration,
    RegistrationStatus,
    VisitChannel,
)
from households.services import imports

if TYPE_CHECKING:
    from governance.models import Region


def _staff_only(request):
    if not access.works_in_back_office(request.user):
        raise PermissionDenied


@login_required
def staff_home(request):
    """My grid: counts of special groups, visits due, completion this month, queues to review."""
    _staff_only(request)
    now = timezone.localtime()
    q = request.GET.get("q", "").strip()
    found = None
    if q:
        field = ("id_number" if len(q) >= 15 else "phone" if q.replace("-", "").isdigit() and len(q) >= 7
                 else "last4" if len(q) == 4 and q[:3].isdigit() else "text")
        found = list(selectors.person_search(request.user, **{field: q})[:20])
    ctx = {
        "q": q,
        "found": found,
        "buildings": access.scope(Building.objects.all(), request.user, "view").annotate(
            n_households=Count("units__households", distinct=True)).order_by("address", "name")[:60],
        "due": selectors.due_visits(request.user, limit=100),
        "counts": selectors.special_group_counts(request.user),
        "rates": selectors.completion_rates(request.user, year=now.year, month=now.month),
        "pending_changes": access.scope(ChangeRequest.objects.filter(status=ChangeStatus.SUBMITTED), request.user,
                                        "approve").count(),
        "pending_registrations": access.scope(Registration.objects.filter(status=RegistrationStatus.PENDING),
                                              request.user, "verify").count(),
        "rentals_ending": selectors.rentals_for(request.user).filter(
            ends_on__gte=now.date(), ends_on__lte=now.date() + dt.timedelta(days=30))[:20],
        "registration_gaps": selectors.units_registration_gaps(request.user)[:20],
    }
    return render(request, "households/staff_home.html", ctx)


class VisitForm(forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=VisitChannel.choices, initial=VisitChannel.HOME)
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photo = forms.ImageField(label=_("photo"), required=False)
    follow_up_note = forms.CharField(label=_("follow-up needed"), required=False, max_length=300)
    open_order = forms.BooleanField(label=_("open a work order for the follow-up"), required=False)


@login_required
def visit_log(request, pk):
    """Log a visit in under a minute: channel preselected, one text box, an optional photo."""
    _staff_only(request)
    try:
        person = access.get_or_404(Person, request.user, "visit", pk=pk)
    except Forbidden:
        raise PermissionDenied from None
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.visit_log(actor=request.user, person=person, channel=d["channel"], findings=d["findings"],
                               photos=[d["photo"]] if d["photo"] else [], follow_up_note=d["follow_up_note"],
                               follow_up_needed=bool(d["follow_up_note"]), open_order=d["open_order"],
                               place=str(person.household.unit) if person.household is not None else "")
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Visit saved."))
            return redirect("households:staff")
    tags = selectors.person_tags(request.user, [person.pk], purpose="visit").get(person.pk, [])
    return render(request, "households/visit_form.html", {"person": person, "form": form, "tags": tags})


class ContactForm(forms.Form):
    person = forms.ModelChoiceField(label=_("for"), queryset=Person.objects.none())
    name = forms.CharField(label=_("name"), max_length=50)
    relation = forms.CharField(label=_("relation"), max_length=20)
    phone = forms.CharField(label=_("phone"), max_length=20)


class CorrectionForm(forms.Form):
    person = forms.ModelChoiceField(label=_("whose file"), queryset=Person.objects.none())
    field = forms.ChoiceField(label=_("what to correct"), choices=[
        ("name", _("name")), ("relation", _("relation to head")), ("phone", _("phone")),
        ("id_number", _("ID number"))])
    value = forms.CharField(label=_("correct value"), max_length=50)
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)


@login_required
def mine(request):
    """The resident's own household file: masked; propose corrections; manage care contacts."""
    me = Person.objects.filter(user=request.user).select_related("household__unit__building").first()
    if me is None:
        return redirect("households:register")
    members = access.scope(Person.objects.filter(household_id=me.household_id) if me.household_id
                           else Person.objects.filter(pk=me.pk), request.user, "view").prefetch_related(
        "phones", "care_contacts").order_by("pk")
    contact_form = ContactForm(request.POST if request.POST.get("form") == "contact" else None)
    correction_form = CorrectionForm(request.POST if request.POST.get("form") == "correction" else None)
    cast(forms.ModelChoiceField, contact_form.fields["person"]).queryset = members
    cast(forms.ModelChoiceField, correction_form.fields["person"]).queryset = members
    if request.method == "POST":
        try:
            if request.POST.get("form") == "remove_contact":
                contact = access.get_or_404(CareContact.objects.filter(person__in=members), request.user, "view",
                                            pk=request.POST.get("contact"))
                services.care_contact_remove(contact=contact, actor=request.user)
                messages.success(request, _("Care contact removed."))
                return redirect("households:mine")
            if request.POST.get("form") == "contact" and contact_form.is_valid():
                services.care_contact_add(actor=request.user, **contact_form.cleaned_data)
                messages.success(request, _("Care contact added."))
                return redirect("households:mine")
            if request.POST.get("form") == "correction" and correction_form.is_valid():
                d = correction_form.cleaned_data
                services.change_request_create(person=d["person"], changes={d["field"]: d["value"]},
                                               reason=d["reason"], actor=request.user)
                messages.success(request, _("Thank you: the community office will check your correction."))
                return redirect("households:mine")
        except DomainError as exc:
            messages.error(request, str(exc))
    requests = ChangeRequest.objects.filter(created_by=request.user).order_by("-created_at")[:10]
    return render(request, "households/mine.html", {
        "me": me, "members": members, "contact_form": contact_form, "correction_form": correction_form,
        "requests": requests})


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices, initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(label=_("ID number"), max_length=30)
    phone = forms.CharField(label=_("phone"), max_length=20)
    # Quoted: Django form fields are not subscriptable at run time. The queryset is set per user.
    community: "forms.ModelChoiceField[Region]" = forms.ModelChoiceField(label=_("community"), queryset=None)
    address = forms.CharField(label=_("street address"), max_length=200, help_text=_("e.g. 和平里东街1号"))
    building = forms.CharField(label=_("building"), max_length=100, help_text=_("e.g. 3号楼"))
    entrance = forms.CharField(label=_("entrance"), max_length=20, required=False, help_text=_("单元"))
    room = forms.CharField(label=_("room"), max_length=20)
    address_note = forms.CharField(label=_("anything to add about the address"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from governance.models import Region

        cast(forms.ModelChoiceField, self.fields["community"]).queryset = Region.objects.filter(
            level="community").order_by("path")

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if self.errors:
            return data
        unit = selectors.unit_lookup(community=data["community"], address=data["address"],
                                     building=data["building"], entrance=data.get("entrance", ""), room=data["room"])
        if unit is None:
            raise forms.ValidationError(_("We could not find this address in the community: check the street "
                                          "address, building, entrance and room, or ask the community office."))
        data["unit"] = unit
        return data


@login_required
def register(request):
    """Self-registration: phone, name, ID, address → the community's verification queue."""
    if Person.objects.filter(user=request.user).exists():
        return redirect("households:mine")
    pending = Registration.objects.filter(user=request.user).order_by("-created_at").first()
    form = RegistrationForm(request.POST or None, initial={"phone": request.user.mobile or ""})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.registration_submit(user=request.user, name=d["name"], id_type=d["id_type"],
                                         id_number=d["id_number"], phone=d["phone"], unit=d["unit"],
                                         address_note=d["address_note"])
        except DomainError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
            if not exc.fields:
                form.add_error(None, str(exc))
        else:
            messages.success(request, _("Sent: the community office will verify your registration."))
            return redirect("households:register")
    return render(request, "households/register.html", {"form": form, "pending": pending})


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("which list"), initial="households.persons", required=False, choices=[
        ("households.persons", _("Persons (台账)")), ("households.tags", _("Special groups (民政 / 残联 lists)")),
        ("households.businesses", _("Businesses and places (实有单位)"))])
    file = forms.FileField(label=_("file (.xlsx or .csv)"))
    community: "forms.ModelChoiceField[Region]" = forms.ModelChoiceField(label=_("community"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from governance.models import Region

        cast(forms.ModelChoiceField, self.fields["community"]).queryset = access.scope(
            Region.objects.filter(level="community"), user, "view")


@login_required
def import_upload(request):
    """Upload a file of persons; it is checked in the background, then shown for confirmation."""
    _staff_only(request)
    if not access.may_at_all(request.user, "add", ImportJob):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.job_create(upload=form.cleaned_data["file"], region=form.cleaned_data["community"],
                                     actor=request.user, kind=form.cleaned_data["kind"] or "households.persons")
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("households:import_job", pk=job.pk)
    jobs = access.scope(ImportJob.objects.all(), request.user, "view").order_by("-created_at")[:10]
    return render(request, "households/import_upload.html", {"form": form, "jobs": jobs})


@login_required
def import_job(request, pk):
    """The job's progress (the page polls this view every second), its row errors, and the apply button."""
    _staff_only(request)
    job = access.get_or_404(ImportJob, request.user, "view", pk=pk)
    if request.method == "POST":
        try:
            imports.job_apply_request(job=job, actor=request.user)
        except Forbidden:
            raise PermissionDenied from None
        except DomainError as exc:
            messages.error(request, str(exc))
        return redirect("households:import_job", pk=job.pk)
    template = "households/import_progress.html" if request.GET.get("fragment") else "households/import_job.html"
    return render(request, template, {"job": job, "progress": imports.job_progress(job),
                                      "running": job.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING,
                                                                ImportStatus.APPLYING)})
