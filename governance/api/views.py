from django_filters import rest_framework as filters
from rest_framework import generics, viewsets

from governance.api.mixins import ScopedViewMixin
from governance.api.serializers import CouncilSerializer, DepartmentSerializer, MeSerializer, RegionSerializer
from governance.models import Council, Department, Region


class RegionFilter(filters.FilterSet):
    parent = filters.ModelChoiceFilter(queryset=Region.objects.all())

    class Meta:
        model = Region
        fields = ["level", "parent", "code"]


class RegionViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Regions the caller works in (their subtree, and for residents their community)."""

    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    filterset_class = RegionFilter


class DepartmentViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_fields = ["kind", "code", "district"]


class CouncilViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Residents' councils in the caller's area; a council member sees their own council."""

    queryset = Council.objects.select_related("region")
    serializer_class = CouncilSerializer


class MeView(generics.RetrieveUpdateAPIView):
    """The caller: profile, preferences (language, large text) and role assignments."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user

