from django.urls import path

from households import views

app_name = "households"
urlpatterns = [
    path("", views.staff_home, name="staff"),
    path("visit/<int:pk>/", views.visit_log, name="visit_log"),
    path("mine/", views.mine, name="mine"),
    path("register/", views.register, name="register"),
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
]
