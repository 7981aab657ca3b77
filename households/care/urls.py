from django.urls import path

from households.care import views

app_name = "care"
urlpatterns = [
    path("", views.alert_list, name="alerts"),
    path("live/", views.alerts_live, name="alerts_live"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/visit/", views.alert_visit, name="alert_visit"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("away/", views.away_list, name="away"),
    path("away/<int:pk>/cancel/", views.away_cancel, name="away_cancel"),
]
