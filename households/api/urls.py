from django.urls import include, path
from rest_framework.routers import SimpleRouter

from households.api import views

router = SimpleRouter(trailing_slash=True)
router.register("persons", views.PersonViewSet, basename="person")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("change-requests", views.ChangeRequestViewSet, basename="changerequest")
router.register("registrations", views.RegistrationViewSet, basename="registration")
router.register("rentals", views.RentalViewSet, basename="rental")
router.register("businesses", views.BusinessViewSet, basename="business")
router.register("compounds", views.CompoundViewSet, basename="compound")
router.register("care-contacts", views.CareContactViewSet, basename="carecontact")
router.register("imports", views.ImportJobViewSet, basename="importjob")

urlpatterns = [
    path("households/due-visits/", views.DueVisitsView.as_view(), name="due-visits"),
    path("households/group-counts/", views.GroupCountsView.as_view(), name="group-counts"),
    path("households/visit-rates/", views.VisitRatesView.as_view(), name="visit-rates"),
    path("households/registration-gaps/", views.RegistrationGapsView.as_view(), name="registration-gaps"),
    path("households/exports/<str:kind>/", views.ExportView.as_view(), name="export"),
    path("households/", include(router.urls)),
]
