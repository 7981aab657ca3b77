from django.utils import translation
from django_filters import rest_framework as filters

from governance.api.filters import PlausibleIsoDateTimeFilter
from governance.models import Region
from workorders.choices import Status
from workorders.models import WorkOrder


class OrderFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices, distinct=False)  # no DISTINCT: one row per order
    overdue = filters.BooleanFilter()
    parked = filters.BooleanFilter()
    warned = filters.BooleanFilter()
    category = filters.NumberFilter(field_name="category_id")
    category_code = filters.CharFilter(method="filter_category_code", label="category code (e.g. E0102 or E01)")
    region = filters.NumberFilter(method="filter_region", label="region id (its whole subtree)")
    assigned_department = filters.NumberFilter(field_name="assigned_department_id")
    mine = filters.BooleanFilter(method="filter_mine", label="assigned to me")
    reported_after = PlausibleIsoDateTimeFilter(field_name="reported_at", lookup_expr="gte")
    reported_before = PlausibleIsoDateTimeFilter(field_name="reported_at", lookup_expr="lt")

    class Meta:
        model = WorkOrder
        fields = ["status", "overdue", "parked", "warned", "category", "region", "channel", "urgency",
                  "assigned_department"]

    _form_classes: dict[tuple[type, str | None], type] = {}

    def get_form_class(self):
        """The filter form is the same for every request but for its labels' language: built
        once per language (building its 15 fields cost more than writing the page's rows).
        Each request still gets its own bound form and its own copies of the filters."""
        key = (type(self), translation.get_language())
        form_class = self._form_classes.get(key)
        if form_class is None:
            form_class = self._form_classes[key] = super().get_form_class()
        return form_class

    def filter_region(self, qs, name, value):
        path = Region.objects.filter(pk=value).values_list("path", flat=True).first()
        return qs.filter(region_path__startswith=path) if path else qs.none()

    def filter_category_code(self, qs, name, value):
        kind = {"E": "event", "C": "component"}.get(value[:1].upper())
        code = value[1:]
        if not kind or not code:
            return qs.none()
        if len(code) == 2:
            return qs.filter(category__kind=kind, category__parent__code=code)
        return qs.filter(category__kind=kind, category__code=code)

    def filter_mine(self, qs, name, value):
        return qs.filter(assigned_user=self.request.user) if value else qs
